using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ModernCSharp;

// Every IL shape of C# 12–14 the recorder must instrument into valid code: each type below
// is one feature, and Main runs them all. The end-to-end tests also force-JIT every method
// of the instrumented assembly, so a shape that Main does not reach is still checked.

// `init` accessors return `void modreq(IsExternalInit)`; `required` adds attributes.
public sealed class Point
{
    public int X { get; init; }
    public int Y { get; init; }
    public required string Label { get; init; }

    [SetsRequiredMembers]
    public Point(int x, int y) => (X, Y, Label) = (x, y, "p");

    public Point() { }
}

public record Person(string Name, int Age)
{
    public string Greeting => $"Hello, {Name}";
}

public record struct Size(int Width, int Height)
{
    public readonly int Area => Width * Height;
}

public readonly record struct Celsius(double Degrees);

// A primary constructor whose parameters the body captures.
public class Account(string owner, decimal balance)
{
    public string Owner => owner;

    public decimal Deposit(decimal amount)
    {
        balance += amount;
        return balance;
    }
}

public struct Holder(int start)
{
    public int Value = start;
}

// ref fields, scoped, a ref struct with a Span.
public ref struct Cursor
{
    private readonly Span<int> _data;
    private ref int _last;
    public int Position;

    public Cursor(Span<int> data)
    {
        _data = data;
        _last = ref data[^1];
    }

    public bool Next(out int value)
    {
        if (Position >= _data.Length)
        {
            value = 0;
            return false;
        }
        value = _data[Position++];
        return true;
    }

    public readonly ref int Last => ref _last;

    public void Bump(scoped ref int target) => target += _last;
}

public interface IMeasure
{
    // `in` and `ref readonly` on a virtual member: modreq(InAttribute) on parameter and return.
    int Measure(in Size size);

    ref readonly int Pick(ref readonly int a, ref readonly int b);

    // A default interface method.
    string Describe(in Size size) => $"{GetType().Name} measures {Measure(in size)}";
}

public sealed class AreaMeasure : IMeasure
{
    private readonly int _unit = 1;

    public int Measure(in Size size) => size.Area * _unit;

    public ref readonly int Pick(ref readonly int a, ref readonly int b) => ref (a >= b ? ref a : ref b);
}

// Generic math: static abstract and static virtual members.
public interface IShape<TSelf> where TSelf : IShape<TSelf>
{
    static abstract string Kind { get; }
    static abstract TSelf Unit();
    static virtual string Describe() => "a " + TSelf.Kind;
}

public readonly struct Square : IShape<Square>
{
    public static string Kind => "square";
    public static Square Unit() => new();
}

public static class Maths
{
    public static T Sum<T>(ReadOnlySpan<T> values) where T : INumber<T>
    {
        var total = T.Zero;
        foreach (var v in values) total += v;
        return total;
    }

    public static string KindOf<TShape>() where TShape : IShape<TShape> => TShape.Describe();

    // `allows ref struct`: T may be a Span.
    public static int LengthOf<T>(T value, Func<T, int> length) where T : allows ref struct => length(value);
}

// User-defined checked operators.
public readonly record struct Money(int Cents)
{
    public static Money operator +(Money a, Money b) => new(unchecked(a.Cents + b.Cents));
    public static Money operator checked +(Money a, Money b) => new(checked(a.Cents + b.Cents));
}

// A fixed-size buffer and an inline array.
public unsafe struct Packet
{
    public fixed byte Bytes[4];
}

[InlineArray(3)]
public struct Triple
{
    private int _element;
}

public sealed class Resource(string name, List<string> log) : IDisposable
{
    public void Dispose() => log.Add("disposed " + name);
}

// C# 13: a field with `volatile` (modreq(IsVolatile)), the `field` keyword (C# 14), lock on System.Threading.Lock.
public sealed class Counter
{
    private volatile int _hits;
    private readonly Lock _gate = new();

    public int Total
    {
        get => field;
        set => field = value < 0 ? 0 : value;
    }

    public int Hit()
    {
        lock (_gate)
        {
            _hits++;
            Total += _hits;
            return _hits;
        }
    }
}

// C# 14 extension members.
public static class Extensions
{
    extension(string text)
    {
        public int Vowels => text.Count(c => "aeiou".Contains(c));

        public string Twice() => text + text;
    }
}

public static class Program
{
    static int Add(int a, int b) => a + b;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    static int Triple(int x) => 3 * x;

    // A function pointer as parameter and return: its signature carries modopt(CallConvCdecl).
    static unsafe delegate* unmanaged[Cdecl]<int, int> Choose(delegate* unmanaged[Cdecl]<int, int> f) => f;

    static unsafe int Apply(delegate*<int, int, int> op, int a, int b) => op(a, b);

    static ref int Find(int[] values, int wanted)
    {
        for (var i = 0; i < values.Length; i++)
            if (values[i] == wanted) return ref values[i];
        return ref values[0];
    }

    static int SumRefReadonly(ref readonly int a, in int b) => a + b;

    static int Total(params ReadOnlySpan<int> values)
    {
        var sum = 0;
        foreach (var v in values) sum += v;
        return sum;
    }

    static string Classify(object value) => value switch
    {
        int n when n < 0 => "negative",
        int and (0 or 1) => "bit",
        int n => $"int {n}",
        string { Length: 0 } => "empty",
        string s => $"string {s}",
        Size { Width: > 10 } size => $"wide {size.Width}",
        int[] and [var first, .., var last] => $"array {first}..{last}",
        null => "null",
        _ => "other",
    };

    static string Pattern(Person person) =>
        person is { Age: >= 18, Name: var name } ? name + " adult" : person.Name + " minor";

    static async IAsyncEnumerable<int> Countdown(int from)
    {
        for (var i = from; i > 0; i--)
        {
            await Task.Yield();
            yield return i;
        }
    }

    static async Task<int> SumAsync(IAsyncEnumerable<int> values)
    {
        var sum = 0;
        await foreach (var v in values) sum += v;
        return sum;
    }

    // C# 13: ref locals and unsafe code in async methods and iterators (not across awaits).
    static IEnumerable<int> Doubled(int[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            ref var slot = ref values[i];
            slot *= 2;
            yield return slot;
        }
    }

    static unsafe string Pointers()
    {
        delegate*<int, int, int> add = &Add;
        var cdecl = Choose(&Triple);
        return $"{Apply(add, 2, 3)} {cdecl(7)}";
    }

    static int Stack()
    {
        Span<int> buffer = stackalloc int[4];
        for (var i = 0; i < buffer.Length; i++) buffer[i] = i * i;
        var cursor = new Cursor(buffer);
        var sum = 0;
        while (cursor.Next(out var v)) sum += v;
        var extra = 1;
        cursor.Bump(ref extra);
        return sum + extra + cursor.Last + Maths.LengthOf<Span<int>>(buffer, s => s.Length) + Total(stackalloc int[] { 1, 2 });
    }

    static unsafe int Pinned()
    {
        var numbers = new[] { 5, 6, 7 };
        var sum = 0;
        fixed (int* p = numbers)
        {
            for (var i = 0; i < numbers.Length; i++) sum += p[i];
        }
        var packet = new Packet();
        packet.Bytes[2] = 9;
        return sum + packet.Bytes[2];
    }

    static int Collections()
    {
        int[] array = [1, 2, 3];
        List<int> list = [.. array, 4];
        ReadOnlySpan<int> span = [10, 20];
        IEnumerable<int> lazy = [7];
        HashSet<string> set = ["a", "b", "a"];
        var triple = new Triple();
        triple[0] = 1;
        triple[2] = 3;
        var inline = 0;
        foreach (var t in triple) inline += t;
        return array.Sum() + list.Count + span[1] + lazy.First() + set.Count + inline;
    }

    static int LocalFunctions(int seed)
    {
        var offset = 100;
        return Scale(seed) + Shift(seed);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static int Scale([NotNullWhen(true)] int x) => x * 2;

        [return: NotNullIfNotNull(nameof(x))]
        int Shift(int x) => x + offset;
    }

    static string Checked(int a, int b)
    {
        try
        {
            return checked(new Money(a) + new Money(b)).ToString();
        }
        catch (OverflowException)
        {
            return "overflow " + unchecked(new Money(a) + new Money(b)).Cents;
        }
    }

    static List<string> Usings()
    {
        var log = new List<string>();
        {
            using var first = new Resource("first", log);
            using var second = new Resource("second", log);
            log.Add("body");
        }
        return log;
    }

    public static async Task<int> Main()
    {
        var point = new Point { X = 3, Y = 4, Label = "corner" };
        var shifted = new Point(1, 2) { Y = 5 };
        Console.WriteLine($"point {point.X},{point.Y} {point.Label}; {shifted.X},{shifted.Y}");

        var ada = new Person("Ada", 36);
        var older = ada with { Age = 37 };
        Console.WriteLine($"{ada} {older.Greeting} {ada == older}");
        var size = new Size(3, 4);
        var wider = size with { Width = 12 };
        Console.WriteLine($"{size} area {size.Area}; {new Celsius(21.5)}");

        var account = new Account("bob", 10m);
        Console.WriteLine($"{account.Owner} {account.Deposit(5m)} {new Holder(7).Value}");

        IMeasure measure = new AreaMeasure();
        int a = 3, b = 8;
        Console.WriteLine($"{measure.Describe(in size)} pick {measure.Pick(in a, in b)} sum {SumRefReadonly(in a, b)}");

        int[] values = [4, 5, 6];
        Find(values, 5) = 50;
        Console.WriteLine($"found {string.Join(",", values)} total {Total(1, 2, 3)}");

        Console.WriteLine($"generic math {Maths.Sum<int>([1, 2, 3])} {Maths.Sum<double>([0.5, 0.25])} {Maths.KindOf<Square>()}");

        Console.WriteLine($"pointers {Pointers()}");

        Console.WriteLine($"stack {Stack()} pinned {Pinned()} collections {Collections()}");
        foreach (var v in new object?[] { -1, 1, 42, "", "hi", wider, new[] { 1, 2, 3 }, null, 2.5 })
            Console.WriteLine($"classify {Classify(v!)}");
        Console.WriteLine($"{Pattern(ada)} {Pattern(new Person("Tim", 9))}");

        Console.WriteLine($"async stream {await SumAsync(Countdown(4))}");
        Console.WriteLine($"iterator {string.Join(",", Doubled([1, 2, 3]))}");
        Console.WriteLine($"local functions {LocalFunctions(5)}");
        Console.WriteLine($"checked {Checked(1, 2)} {Checked(int.MaxValue, 1)}");
        Console.WriteLine($"usings {string.Join(",", Usings())}");

        var counter = new Counter();
        counter.Hit();
        counter.Hit();
        Console.WriteLine($"lock {counter.Total}");
        Console.WriteLine($"extensions {"banana".Vowels} {"ab".Twice()}");
        return 0;
    }
}
