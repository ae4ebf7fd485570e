namespace Demo;

/// <summary>The example `dotnet fsi build.fsx demo` records: a small shopping cart.</summary>
public static class Program
{
    static decimal LineTotal(string item, decimal price, int quantity)
    {
        decimal total = price * quantity;
        Console.WriteLine($"{item}: {quantity} x {price} = {total}");
        return total;
    }

    public static int Main(string[] args)
    {
        int quantity = args.Length > 0 ? int.Parse(args[0]) : 1;
        string[] items = { "apple", "pear", "plum" };
        decimal[] prices = { 0.5m, 0.75m, 1.2m };
        decimal sum = 0;
        for (int i = 0; i < items.Length; i++)
        {
            sum += LineTotal(items[i], prices[i], quantity);
        }
        Console.WriteLine($"total: {sum}");
        return 0;
    }
}
