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

public static class Closures
{
    // Lambdas in a generic method: their closure classes are generic too; the inner one
    // captures the outer lambda's parameter and the method's.
    public static T Pick<T>(T first, T second, bool takeSecond)
    {
        Func<bool, Func<T>> choose = flag => () => flag ? second : first;
        return choose(takeSecond)();
    }

    // A lambda inside a lambda, capturing a parameter and a local of the method and a local of the outer lambda.
    public static int Nested(int start)
    {
        var factor = 3;
        Func<int, Func<int, int>> makeStep = step =>
        {
            var offset = step + 1;
            return x => x * factor + offset + start;
        };
        return makeStep(2)(5);
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
        Console.WriteLine($"pick {Closures.Pick("left", "right", true)} nested {Closures.Nested(10)}");
        var cart = new Cart();
        Console.WriteLine($"total {cart.Total(1)}");
        var result = await OuterAsync(5);
        Console.WriteLine($"outer {result}");
        foreach (var square in Squares(3)) Console.WriteLine($"square {square}");
        await foreach (var n in CountdownAsync(2)) Console.WriteLine($"countdown {n}");
    }
}
