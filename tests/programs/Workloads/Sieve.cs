namespace Workloads;

// Array-heavy: a sieve of Eratosthenes over a bool[] that is visible at every step.
public static class Sieve
{
    private const int Limit = 1_000;

    private static int CountPrimes(bool[] composite)
    {
        Array.Clear(composite);
        int count = 0;
        for (int i = 2; i < composite.Length; i++)
        {
            if (composite[i]) continue;
            count++;
            for (long j = (long)i * i; j < composite.Length; j += i)
            {
                composite[j] = true;
            }
        }
        return count;
    }

    public static long Run(int rounds)
    {
        var composite = new bool[Limit];
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            total += CountPrimes(composite);
        }
        return total;
    }
}
