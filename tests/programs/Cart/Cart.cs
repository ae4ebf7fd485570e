namespace Shop;

/// <summary>A shopping cart: the code the XunitCart, NunitCart and MstestCart tests exercise.</summary>
public sealed class Cart
{
    private readonly List<Line> _lines = new();

    public void Add(string item, decimal price, int quantity)
    {
        if (quantity <= 0) throw new ArgumentOutOfRangeException(nameof(quantity), "a line needs at least one item");
        _lines.Add(new Line(item, price, quantity));
    }

    public decimal Total()
    {
        decimal total = 0;
        foreach (var line in _lines)
        {
            var subtotal = line.Price * line.Quantity;
            total += subtotal;
        }
        return total;
    }
}

public sealed record Line(string Item, decimal Price, int Quantity);
