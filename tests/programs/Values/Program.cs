using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Numerics;

namespace Values;

public record Person(string Name, int Age);

public record Meeting(string Topic, DateTime At);

public class Account
{
    private decimal _balance = 12.5m;
    private readonly string memo = "s3";
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
        var when = new DateTime(2024, 2, 29, 13, 45, 30, DateTimeKind.Utc);
        var stamp = new DateTimeOffset(2024, 2, 29, 13, 45, 30, TimeSpan.FromHours(2));
        var duration = new TimeSpan(1, 2, 3, 4, 500);
        var day = new DateOnly(2024, 2, 29);
        var time = new TimeOnly(13, 45, 30);
        var id = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");
        var version = new Version(1, 2, 3);
        var site = new Uri("https://example.org/a?b=c");
        var meeting = new Meeting("standup", when);
        var sortedAges = new SortedDictionary<string, int> { ["grace"] = 85, ["ada"] = 36, ["alan"] = 41 };
        var ranks = new SortedList<string, int> { ["b"] = 2, ["a"] = 1, ["c"] = 3 };
        var sortedPrimes = new SortedSet<int> { 7, 2, 5, 3 };
        var chain = new LinkedList<string>(new[] { "x", "y", "z" });
        chain.RemoveFirst();
        chain.AddLast("w");
        var counts = new ConcurrentDictionary<int, string>();
        counts[2] = "two";
        counts[1] = "one";
        counts[3] = "three";
        var jobs = new ConcurrentQueue<int>(new[] { 1, 2, 3, 4 });
        jobs.TryDequeue(out _);
        var backlog = new ConcurrentQueue<int>(Enumerable.Range(1, 40)); // two segments, the first frozen
        for (var i = 0; i < 35; i++) backlog.TryDequeue(out _);
        var bag = new ConcurrentBag<int> { 1, 2, 3 };
        var fixedNumbers = ImmutableArray.Create(4, 5, 6);
        ImmutableArray<int> unset = default;
        var letters = ImmutableList.Create("a", "b", "c").Add("d").Remove("b");
        var names = ImmutableDictionary.CreateRange(new[] { KeyValuePair.Create(2, "two"), KeyValuePair.Create(1, "one"), KeyValuePair.Create(3, "three") });
        var odds = ImmutableHashSet.Create(5, 1, 3, 7);
        Console.WriteLine("values ready");
        Show(person);
    }
}
