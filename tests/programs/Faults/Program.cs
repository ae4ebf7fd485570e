namespace Faults;

// One program, one fault per mode: the recorder must keep what was recorded before it.
public static class Program
{
    static void Nested(string mode, int depth)
    {
        int level = depth;
        if (level > 0)
        {
            Nested(mode, level - 1);
            return;
        }
        switch (mode)
        {
            case "exit":
                Environment.Exit(5);
                break;
            case "failfast":
                Environment.FailFast("giving up");
                break;
            case "throw":
                throw new InvalidOperationException("broken on purpose");
            case "wait":
                Console.WriteLine("pid " + Environment.ProcessId);
                for (int tick = 0; tick < 600; tick++)
                    Thread.Sleep(100);
                break;
        }
    }

    // No end: the stack overflows, which no handler can catch; the runtime prints the repeated frames folded.
    static int Deeper(int depth) => Deeper(depth + 1) + 1;

    public static int Main(string[] args)
    {
        string mode = args.Length > 0 ? args[0] : "none";
        Console.WriteLine("mode " + mode);
        if (mode == "overflow") return Deeper(0);
        Nested(mode, 2);
        return 0;
    }
}
