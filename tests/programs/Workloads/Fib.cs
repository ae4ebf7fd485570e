namespace Workloads;

// Call-heavy: naive recursion, about two steps per call.
public static class Fib
{
    private static int Compute(int n)
    {
        if (n < 2) return n;
        return Compute(n - 1) + Compute(n - 2);
    }

    public static long Run(int rounds)
    {
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            total += Compute(20);
        }
        return total;
    }
}
