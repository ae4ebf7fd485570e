namespace ExitCode;

public static class Program
{
    static int Decide(string[] args)
    {
        int code = args.Length > 0 ? int.Parse(args[0]) : 3;
        return code;
    }

    public static int Main(string[] args)
    {
        int code = Decide(args);
        Console.WriteLine("exiting with " + code);
        return code;
    }
}
