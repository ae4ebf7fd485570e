namespace NextToExe;

// A program that keeps its state next to itself: a counter in AppContext.BaseDirectory that
// advances at each run, and a file shipped beside it. It prints where it thinks it lives.
public static class Program
{
    static int Advance(string counterFile)
    {
        int count = File.Exists(counterFile) ? int.Parse(File.ReadAllText(counterFile)) : 0;
        count++;
        File.WriteAllText(counterFile, count.ToString());
        return count;
    }

    public static int Main()
    {
        string baseDirectory = AppContext.BaseDirectory;
        Console.WriteLine("count " + Advance(Path.Combine(baseDirectory, "counter.txt")));
        Console.WriteLine("greeting " + File.ReadAllText(Path.Combine(baseDirectory, "greeting.txt")).Trim());
        Console.WriteLine("base " + baseDirectory);
        Console.WriteLine("domain " + AppDomain.CurrentDomain.BaseDirectory);
        Console.WriteLine("process " + Environment.ProcessPath);
        Console.WriteLine("location " + typeof(Program).Assembly.Location);
        return 0;
    }
}
