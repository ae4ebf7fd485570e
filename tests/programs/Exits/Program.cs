using System;
using System.Threading;

namespace Exits;

public static class Program
{
    public static int Main(string[] args)
    {
        string how = args.Length > 0 ? args[0] : "nested";
        if (how == "thread")
        {
            var worker = new Thread(() => Outer(3));
            worker.Start();
            Wait(worker);
            return 0;
        }
        Outer(3);
        return 0;
    }

    private static void Wait(Thread worker)
    {
        worker.Join();
        Console.WriteLine("not reached");
    }

    private static int Outer(int code)
    {
        int twice = Inner(code) * 2;
        return twice;
    }

    private static int Inner(int code)
    {
        Console.WriteLine("exiting with " + code);
        Environment.Exit(code);
        return code;
    }
}
