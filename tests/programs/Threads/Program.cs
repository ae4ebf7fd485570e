using System;
using System.Threading;
using System.Threading.Tasks;

namespace Threads;

public static class Program
{
    // Enough steps on each of two threads for several 64 KiB segments each, also with
    // change-only capture (about 40 bytes an iteration).
    private const int WorkerRounds = 20000;
    private const int MainRounds = 20000;

    private static long _workerTotal;

    // Both loops meet halfway, each with more than a buffer written before and after,
    // so the log holds chunks of both threads, with calls open, before and after.
    private static readonly Barrier Halfway = new(2);

    public static int Main()
    {
        if (Environment.GetEnvironmentVariable("THREADS_BACKGROUND") == "1") return Background();
        var worker = new Thread(Worker);
        worker.Start();
        long mainTotal = Spin(MainRounds);

        var squares = new int[4];
        using var done = new CountdownEvent(squares.Length);
        for (int k = 0; k < squares.Length; k++)
        {
            int n = k;
            ThreadPool.QueueUserWorkItem(_ => { squares[n] = Square(n); done.Signal(); });
        }

        long parallelSum = 0;
        Parallel.For(0, 100, i => Interlocked.Add(ref parallelSum, i));

        var task = Task.Run(() => Square(12));
        int fromTask = task.Result;

        done.Wait();
        worker.Join();
        Console.WriteLine($"worker {_workerTotal} main {mainTotal} pool {string.Join(",", squares)} parallel {parallelSum} task {fromTask}");
        return 0;
    }

    private static void Worker()
    {
        long total = 0;
        for (int i = 0; i < WorkerRounds; i++)
        {
            total += i; // worker loop
            if (i == WorkerRounds / 2) Halfway.SignalAndWait();
        }
        _workerTotal = total;
    }

    private static long Spin(int rounds)
    {
        long total = 0;
        for (int j = 0; j < rounds; j++)
        {
            total += j; // main loop
            if (j == rounds / 2) Halfway.SignalAndWait();
        }
        return total;
    }

    // Background threads still recording when Main returns: the exit flush drains
    // their buffers while they write.
    private static int Background()
    {
        for (int t = 0; t < 2; t++) new Thread(Forever) { IsBackground = true }.Start();
        Thread.Sleep(100);
        Console.WriteLine("background");
        return 0;
    }

    private static void Forever()
    {
        for (long n = 0; ; n++)
        {
            Thread.SpinWait(1000); // forever loop
        }
    }

    private static int Square(int n)
    {
        return n * n;
    }
}
