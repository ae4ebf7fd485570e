namespace Workloads;

// The cheapest steps there are: a counting loop over two long locals.
public static class Loop
{
    public static long Run(int rounds)
    {
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < 10_000; i++)
            {
                total += i ^ round;
            }
        }
        return total;
    }
}
