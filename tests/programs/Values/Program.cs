using System.Numerics;

namespace Values;

public record Person(string Name, int Age);

public class Account
{
    private decimal _balance = 12.5m;
    private readonly string secret = "s3";
    public string Owner { get; set; } = "Ada";
    public int Number { get; init; } = 7;
}

public class Savings : Account
{
    public double Rate = 0.25;
}

public struct Point
{
    public int X;
    public int Y;
    public Point(int x, int y) { X = x; Y = y; }
}

public class Node
{
    public int Level;
    public Node? Next;
}

public static class Program
{
    static Node Chain(int levels)
    {
        Node? head = null;
        for (int i = levels; i >= 1; i--) head = new Node { Level = i, Next = head };
        return head!;
    }

    static int Show(object value) => value is null ? 0 : 1;

    public static void Main()
    {
        var person = new Person("Grace", 85);
        var account = new Savings();
        var point = new Point(3, 4);
        var deep = Chain(5);
        var loop = new Node { Level = 1 };
        loop.Next = loop;
        var ages = new Dictionary<string, int> { ["ada"] = 36, ["alan"] = 41, ["grace"] = 85 };
        ages.Remove("alan");
        var primes = new HashSet<int> { 2, 3, 5 };
        (int, string) pair = (1, "one");
        var boxedPair = Tuple.Create(4, 2);
        int? maybe = 42;
        int? nothing = null;
        BigInteger huge = BigInteger.Pow(2, 70);
        BigInteger small = -12;
        Int128 wide = Int128.MaxValue;
        Half half = (Half)1.5;
        Func<int, int> twice = x => 2 * x;
        Task done = Task.CompletedTask;
        int[,] grid = { { 1, 2 }, { 3, 4 } };
        var anon = new { Id = 1, Tag = "x" };
        var waiting = new Queue<string>(new[] { "a", "b", "c" });
        waiting.Dequeue();
        waiting.Enqueue("d");
        var plates = new Stack<int>(new[] { 1, 2, 3 });
        Console.WriteLine("values ready");
        Show(person);
    }
}
