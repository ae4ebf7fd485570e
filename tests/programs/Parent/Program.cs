using System.Diagnostics;

namespace Parent;

// Starts a child .NET process (itself, in child mode): the child must neither
// hang waiting for a diagnostics client nor fail on the instrumented code.
public static class Program
{
    static int Child(int value)
    {
        int doubled = value * 2;
        Console.WriteLine("child " + doubled);
        return doubled;
    }

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "child") return Child(21) == 42 ? 0 : 1;
        var info = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add("child");
        using var child = Process.Start(info)!;
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        int code = child.ExitCode;
        Console.WriteLine("parent saw: " + output.Trim() + " (exit " + code + ")");
        return code;
    }
}
