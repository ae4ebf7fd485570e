namespace Kit;

/// <summary>Primes by trial division and by a sieve, so that each checks the other.</summary>
public static class Primes
{
    public static bool IsPrime(int n)
    {
        if (n < 2) return false;
        for (var d = 2; d * d <= n; d++)
        {
            if (n % d == 0) return false;
        }
        return true;
    }

    public static List<int> Below(int limit)
    {
        var composite = new bool[Math.Max(limit, 0)];
        var primes = new List<int>();
        for (var i = 2; i < limit; i++)
        {
            if (composite[i]) continue;
            primes.Add(i);
            for (var j = i * i; j < limit; j += i) composite[j] = true;
        }
        return primes;
    }

    public static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return Math.Abs(a);
    }
}
