using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Shop;

public class Cart
{
    private readonly List<int> _prices = new() { 3, 4, 5 };

    public int Total(int discount)
    {
        var doubled = _prices.Select(p => p * 2).ToList();
        var sum = 0;
        doubled.ForEach(d => sum += d);
        int Round(int value) => value / 10 * 10;
        Func<int, int> apply = price => price - discount + sum;
        return Round(apply(sum));
    }
}

public static class Program
{
    public static async Task<int> ComputeAsync(int start)
    {
        var before = start + 1;
        await Task.Delay(1);
        var middle = before * 2;
        await Task.Delay(1);
        var after = middle + 100;
        return after;
    }

    public static async Task<int> OuterAsync(int n)
    {
        var inner = await ComputeAsync(n);
        return inner + 1;
    }

    public static IEnumerable<int> Squares(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var square = i * i;
            yield return square;
        }
    }

    public static async IAsyncEnumerable<int> CountdownAsync(int from)
    {
        for (var n = from; n > 0; n--)
        {
            await Task.Delay(1);
            yield return n;
        }
    }

    public static async Task Main()
    {
        var cart = new Cart();
        Console.WriteLine($"total {cart.Total(1)}");
        var result = await OuterAsync(5);
        Console.WriteLine($"outer {result}");
        foreach (var square in Squares(3)) Console.WriteLine($"square {square}");
        await foreach (var n in CountdownAsync(2)) Console.WriteLine($"countdown {n}");
    }
}
