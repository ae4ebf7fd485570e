namespace Exceptions;

// Exceptions leaving recorded frames: caught two frames up, through a finally and a
// using, past an exception filter, rethrown; and the shapes of IL the fault handler
// must keep valid (constructors, structs, generics, async, iterators, stackalloc, ref returns).
public sealed class Resource : IDisposable
{
    private readonly string _name;

    public Resource(string name)
    {
        _name = name;
    }

    public void Dispose()
    {
        Console.WriteLine("dispose " + _name);
    }
}

public class Account
{
    private readonly List<int> _history = new List<int>();

    public Account(int balance)
    {
        if (balance < 0) throw new ArgumentException("negative balance", nameof(balance));
        _history.Add(balance);
    }

    public int Entries => _history.Count;
}

public sealed class Savings : Account
{
    public Savings(int balance) : base(balance)
    {
        Console.WriteLine("savings opened");
    }
}

public struct Meter
{
    public int Value;

    public Meter(int value)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value));
        Value = value;
    }

    public int Below(int limit)
    {
        if (Value > limit) throw new OverflowException("over " + limit);
        return Value;
    }
}

public static class Program
{
    static int Thrower(int depth)
    {
        int doomed = depth * 10;
        throw new InvalidOperationException("deep failure " + doomed);
    }

    static int Middle(int depth)
    {
        using var resource = new Resource("middle");
        try
        {
            return Thrower(depth + 1);
        }
        finally
        {
            int cleanup = depth;
            Console.WriteLine("finally " + cleanup);
        }
    }

    static string Catcher()
    {
        try
        {
            return "not reached " + Middle(1);
        }
        catch (InvalidOperationException e) // Catcher's handler
        {
            string caught = e.Message;
            return caught;
        }
    }

    static void Fail(int code)
    {
        throw new ArgumentException("bad code " + code, nameof(code));
    }

    static string Filtered(int code)
    {
        try
        {
            Fail(code);
            return "no failure";
        }
        catch (ArgumentException e) when (e.ParamName == "other")
        {
            return "wrong handler";
        }
        catch (ArgumentException e) when (e.ParamName == "code")
        {
            string handled = "filtered " + e.ParamName;
            return handled;
        }
    }

    static void Rethrower()
    {
        try
        {
            Thrower(5);
        }
        catch (InvalidOperationException)
        {
            Console.WriteLine("rethrowing");
            throw;
        }
    }

    static void PrintTrace()
    {
        try
        {
            Rethrower();
        }
        catch (InvalidOperationException e) // PrintTrace's handler
        {
            Console.WriteLine(e.ToString());
        }
    }

    static T FirstOr<T>(IList<T> items, T fallback)
    {
        try
        {
            return items[0];
        }
        catch (ArgumentOutOfRangeException)
        {
            return fallback;
        }
    }

    static ref int Slot(int[] items, int index)
    {
        return ref items[index];
    }

    static int StackSum(int index)
    {
        Span<int> numbers = stackalloc int[4];
        for (int i = 0; i < numbers.Length; i++) numbers[i] = i * i;
        return numbers[index];
    }

    static async Task<int> FailLaterAsync(int x)
    {
        await Task.CompletedTask;
        if (x > 0) throw new InvalidOperationException("async failure " + x);
        return x;
    }

    static async Task<int> AwaitAsync()
    {
        try
        {
            return await FailLaterAsync(2);
        }
        catch (InvalidOperationException e)
        {
            return e.Message.Length;
        }
    }

    static IEnumerable<int> Counted(int n)
    {
        try
        {
            for (int i = 0; i < n; i++)
            {
                if (i == 2) throw new InvalidOperationException("iterator failure");
                yield return i;
            }
        }
        finally
        {
            Console.WriteLine("iterator finally");
        }
    }

    static string Guarded(Func<string> action)
    {
        try
        {
            return action();
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    public static int Main(string[] args)
    {
        Console.WriteLine("caught: " + Catcher());
        Console.WriteLine("filter: " + Filtered(7));
        PrintTrace();
        Console.WriteLine("first: " + FirstOr(new List<int>(), -1) + " " + FirstOr(new List<string> { "a" }, "none"));
        Console.WriteLine("savings: " + Guarded(() => new Savings(-5).Entries.ToString()) + " " + new Savings(3).Entries);
        Console.WriteLine("meter: " + Guarded(() => new Meter(4).Below(2).ToString()) + " " + Guarded(() => new Meter(-1).Value.ToString()) + " " + new Meter(1).Below(2));
        int[] items = { 1, 2, 3 };
        Slot(items, 1) = 20;
        Console.WriteLine("slot: " + items[1] + " " + Guarded(() => Slot(items, 9).ToString()));
        Console.WriteLine("stack: " + StackSum(3) + " " + Guarded(() => StackSum(5).ToString()));
        Console.WriteLine("async: " + AwaitAsync().GetAwaiter().GetResult());
        var seen = new List<int>();
        Console.WriteLine("iterator: " + Guarded(() =>
        {
            foreach (var i in Counted(5)) seen.Add(i);
            return "done";
        }) + " " + string.Join(",", seen));
        return 0;
    }
}
