using NUnit.Framework;
using Shop;

namespace NunitCart;

public class CartTests
{
    [Test]
    public void TotalAddsTheLines()
    {
        var cart = new Cart();
        cart.Add("apple", 0.5m, 4);
        cart.Add("pear", 1.25m, 2);
        Assert.That(cart.Total(), Is.EqualTo(4.5m));
    }

    [Test]
    public void TotalAppliesTheDiscount()
    {
        var cart = new Cart();
        cart.Add("melon", 3m, 1);
        // Fails on purpose: the cart has no discount.
        Assert.That(cart.Total(), Is.EqualTo(2.7m));
    }

    [Test]
    public void CheckoutTakesTheCard()
    {
        var cardNumber = "4111111111111111";
        Assert.That(cardNumber.Length, Is.EqualTo(16));
    }
}
