using Microsoft.VisualStudio.TestTools.UnitTesting;
using Shop;

namespace MstestCart;

[TestClass]
public class CartTests
{
    [TestMethod]
    public void TotalAddsTheLines()
    {
        var cart = new Cart();
        cart.Add("apple", 0.5m, 4);
        cart.Add("pear", 1.25m, 2);
        Assert.AreEqual(4.5m, cart.Total());
    }

    [TestMethod]
    public void TotalAppliesTheDiscount()
    {
        var cart = new Cart();
        cart.Add("melon", 3m, 1);
        // Fails on purpose: the cart has no discount.
        Assert.AreEqual(2.7m, cart.Total());
    }

    [TestMethod]
    public void CheckoutTakesTheCard()
    {
        var cardNumber = "4111111111111111";
        Assert.AreEqual(16, cardNumber.Length);
    }
}
