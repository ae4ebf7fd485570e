using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace Loops;

internal enum Color
{
    Red,
    Green = 5,
    Blue,
}

[Flags]
internal enum Access : byte
{
    None = 0,
    Read = 1,
    Write = 2,
}

internal sealed class Counter
{
    private int _count;

    public Counter(int start)
    {
        _count = start;
    }

    public int Count => _count;

    public void AddTo(ref int total)
    {
        total += _count;
        _count++;
    }
}

internal static class Program
{
    internal static int Sum(int n)
    {
        var total = 0;
        for (var i = 0; i < n; i++)
        {
            total += i;
        }
        return total;
    }

    internal static string Greet(string name)
    {
        return "Hello, " + name + "!";
    }

    internal static T Echo<T>(T x)
    {
        return x;
    }

    internal static string Describe(int code)
    {
        switch (code)
        {
            case 0: return "zero";
            case 1: return "one";
            case 2: return "two";
            case 3: return "three";
            default: return "many";
        }
    }

    internal static int Divide(int a, int b)
    {
        try
        {
            return a / b;
        }
        catch (DivideByZeroException e) when (b == 0)
        {
            var frame = new StackTrace(e, true).GetFrame(0);
            Console.WriteLine($"caught {e.GetType().Name} at line {frame?.GetFileLineNumber()}");
            return -1;
        }
        finally
        {
            Console.WriteLine($"divided {a} by {b}");
        }
    }

    private static int Main(string[] args)
    {
        var color = Color.Green;
        var access = Access.Read | Access.Write;
        int[] squares = { 1, 4, 9 };
        var list = new List<int> { 1, 2, 3 };
        Span<int> span = squares.AsSpan();
        var spanTotal = 0;
        foreach (var value in span)
        {
            spanTotal += value;
        }

        var counter = new Counter(10);
        var total = 0;
        while (total < 25)
        {
            counter.AddTo(ref total);
            if (total % 2 == 0)
            {
                continue;
            }
            total++;
        }

        var price = 19.99m;
        var ratio = total / 4.0;
        var initial = Greet("x")[0];
        var done = total > 30;

        Console.WriteLine($"sum {Sum(10)}");
        Console.WriteLine(Greet("Loops"));
        Console.WriteLine($"echo {Echo(42)} {Echo("text")}");
        Console.WriteLine($"color {color} access {access}");
        Console.WriteLine($"squares {string.Join(",", squares)} list {list.Count} span {spanTotal}");
        Console.WriteLine($"counter {counter.Count} total {total}");
        Console.WriteLine($"price {price} ratio {ratio} initial {initial} done {done}");
        for (var code = 0; code < 5; code++)
        {
            Console.WriteLine(Describe(code));
        }
        Console.WriteLine($"divide {Divide(7, 2)}");
        Console.WriteLine($"divide {Divide(1, 0)}");
        return 0;
    }
}
