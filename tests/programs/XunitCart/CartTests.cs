using Shop;
using Xunit;

namespace XunitCart;

public class CartTests
{
    [Fact]
    public void TotalAddsTheLines()
    {
        // Set by a run settings file in one of the e2e tests: it must reach the test host.
        var note = Environment.GetEnvironmentVariable("CART_NOTE") ?? "none";
        var cart = new Cart();
        cart.Add("apple", 0.5m, 4);
        cart.Add("pear", 1.25m, 2);
        Assert.Equal(4.5m, cart.Total());
    }

    [Fact]
    public void TotalAppliesTheDiscount()
    {
        var cart = new Cart();
        cart.Add("melon", 3m, 1);
        // Fails on purpose: the cart has no discount.
        Assert.Equal(2.7m, cart.Total());
    }

    [Fact]
    public void CheckoutTakesTheCard()
    {
        var cardNumber = "4111111111111111";
        Assert.Equal(16, cardNumber.Length);
    }
}
