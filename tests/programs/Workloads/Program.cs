using System.Diagnostics;
using System.Globalization;

namespace Workloads;

// CPU-bound workloads for the recorder's benchmark (tests/Bench): `Workloads NAME SIZE`
// runs one workload SIZE times its unit length and prints how long the work itself
// took (`work-ms`, without process start, runtime start-up or the first JIT of the
// workload) and a checksum that depends on every result, so nothing is optimised away.
public static class Program
{
    // Each workload takes a number of rounds; one size unit is RoundsPerSize rounds, sized
    // so that the whole bench (1x, 4x, 16x, each recorded) stays within ~10 minutes on
    // two cores with today's recorder: 1x is ~300 K steps for the cheap steps of loop
    // and fib, and fewer where every step carries an array, a string or a collection.
    private static readonly Dictionary<string, (Func<int, long> Run, int RoundsPerSize)> All = new()
    {
        ["loop"] = (Loop.Run, 16),
        ["fib"] = (Fib.Run, 8),
        ["sieve"] = (Sieve.Run, 4),
        ["strings"] = (Strings.Run, 120),
        ["collections"] = (Collections.Run, 40),
        ["objects"] = (ObjectGraph.Run, 400),
    };

    public static int Main(string[] args)
    {
        if (args.Length != 2 || !All.TryGetValue(args[0], out var workload) || !int.TryParse(args[1], out var size) || size < 1)
        {
            Console.Error.WriteLine($"usage: Workloads <{string.Join("|", All.Keys)}> <size >= 1>");
            return 2;
        }
        // One round first, so the timed run does not pay for compiling the workload's methods.
        long warmUp = workload.Run(1);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long checksum = workload.Run(size * workload.RoundsPerSize);
        clock.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine("work-ms " + clock.Elapsed.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture));
        // The process's CPU time over the same span: a figure a loaded machine disturbs less.
        Console.WriteLine("cpu-ms " + cpu.TotalMilliseconds.ToString("F3", CultureInfo.InvariantCulture));
        Console.WriteLine("checksum " + (checksum ^ warmUp).ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
