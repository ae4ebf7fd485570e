namespace Constructs;

// The members C# has beyond plain methods, each recorded under a readable name.
public readonly struct Money
{
    public decimal Amount { get; }

    public Money(decimal amount) => Amount = amount;

    public static Money operator +(Money a, Money b) => new(a.Amount + b.Amount);
}

public sealed class Counter
{
    private static readonly int Start;

    static Counter()
    {
        Start = 10;
    }

    public int Value { get; set; } = Start;
}

public sealed class Box<T>
{
    public T Item { get; }

    public Box(T item) => Item = item;

    public TOut Map<TOut>(Func<T, TOut> f) => f(Item);
}

public static class Program
{
    static bool TryHalve(int value, out int half)
    {
        half = value / 2;
        return value % 2 == 0;
    }

    static int Sum(in Money total, ref int calls, ReadOnlySpan<int> numbers)
    {
        calls++;
        int sum = 0;
        foreach (var n in numbers)
        {
            sum += n;
        }
        return sum + (int)total.Amount;
    }

    static unsafe int ReadThrough(int* pointer)
    {
        int value = *pointer;
        return value + 1;
    }

    public static unsafe void Main()
    {
        var total = new Money(1.5m) + new Money(2.5m);
        var counter = new Counter();
        counter.Value = counter.Value + 1;
        var even = TryHalve(8, out var half);
        int calls = 0;
        var sum = Sum(total, ref calls, stackalloc int[] { 1, 2, 3 });
        var box = new Box<string>("abc");
        var length = box.Map(s => s.Length);
        int local = 41;
        var read = ReadThrough(&local);
        Console.WriteLine($"{total.Amount} {counter.Value} {even} {half} {sum} {calls} {length} {read}");
    }
}
