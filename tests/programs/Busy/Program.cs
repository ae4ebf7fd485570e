namespace Busy;

// CPU-bound work for the benchmark: about 3 steps per inner iteration.
public static class Program
{
    static long Collatz(long n)
    {
        long steps = 0;
        while (n != 1)
        {
            n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
            steps++;
        }
        return steps;
    }

    public static void Main(string[] args)
    {
        int limit = args.Length > 0 ? int.Parse(args[0]) : 50_000;
        long total = 0;
        for (int i = 1; i <= limit; i++)
        {
            total += Collatz(i);
        }
        Console.WriteLine(total);
    }
}
