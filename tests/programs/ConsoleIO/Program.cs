namespace ConsoleIO;

public static class Program
{
    static void Report(int step)
    {
        Console.WriteLine("step " + step);
        Console.Error.WriteLine("warning " + step);
    }

    public static void Main()
    {
        Console.Write("start;");
        for (int step = 1; step <= 2; step++)
        {
            Report(step);
        }
        string? name = Console.ReadLine();
        Console.WriteLine("done, " + name);
    }
}
