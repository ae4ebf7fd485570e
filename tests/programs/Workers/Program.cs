using System;
using System.Threading;
using System.Threading.Tasks;

namespace Workers;

public static class Program
{
    // Each worker calls Tick this many times: enough for several 64 KiB segments per thread,
    // so the threads' chunks interleave while each has calls open.
    private const int Ticks = 800;
    private const int WorkerCount = 4;
    private const int Bursts = 8;
    private const int BurstTicks = 50;

    private static readonly Barrier Together = new(WorkerCount);
    private static long _sum;

    public static int Main()
    {
        var threads = new Thread[WorkerCount];
        for (int w = 0; w < WorkerCount; w++)
        {
            int id = w;
            threads[w] = new Thread(() => Work(id));
            threads[w].Start();
        }
        foreach (var t in threads) t.Join();
        Parallel.For(0, Bursts, Burst);
        Console.WriteLine($"sum {_sum}");
        return 0;
    }

    private static void Work(int id)
    {
        Together.SignalAndWait();
        for (int i = 0; i < Ticks; i++)
        {
            Tick(id, i); // worker tick
        }
    }

    private static void Burst(int b)
    {
        for (int i = 0; i < BurstTicks; i++)
        {
            Tick(b, i);
        }
    }

    private static void Tick(int id, int i)
    {
        Interlocked.Add(ref _sum, i);
    }
}
