namespace Mutations;

// Values changed between two steps by recorded code, by platform code and through an
// alias: change-only capture must show each change at the very next step.
public sealed class Box
{
    public int Count;
    public string Label = "empty";
}

public static class Program
{
    static void Fill(int[] target) => target[0] = 99;

    public static void Main()
    {
        int[] numbers = { 5, 3, 8 };
        numbers[1] = 9;
        Array.Sort(numbers);
        Span<int> span = numbers;
        span[2] = 42;
        int[] alias = numbers;
        alias[0] = -1;
        Fill(numbers);
        var list = new List<string> { "a" };
        list.Add("b");
        var map = new Dictionary<string, int> { ["x"] = 1 };
        map["x"] = 2;
        var box = new Box();
        box.Count = 3;
        Box other = box;
        other.Label = "full";
        int captured = 1;
        Action bump = () => captured += 10;
        bump();
        double zero = 0.0;
        zero = -zero;
        string[] names = { "a", "b" };
        names[1] = "c";
        names = new[] { "x", "c" };
        bool[] flags = new bool[2];
        flags.AsSpan().Fill(true);
        numbers = new[] { 7, 8, 42 };
        var ints = new List<int> { 1, 2 };
        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ints)[0] = 5;
        var text = new System.Text.StringBuilder("ab");
        text.Append('c');
        text.Insert(0, new string('x', 1200));
        Console.WriteLine($"{string.Join(",", numbers)} {string.Join(",", list)} {map["x"]} {box.Count} {box.Label} {captured} {zero} {string.Join(",", names)} {flags[0]} {numbers[0]} {ints[0]} {text.Length}");
    }
}
