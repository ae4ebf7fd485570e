namespace Orphan;

// Records steps until told to stop, then says it ran to its end: a recorder killed meanwhile
// must not leave it writing a raw log nobody reads.
public static class Program
{
    public static int Main(string[] args)
    {
        string stopFile = args[0];
        string doneFile = args[1];
        Console.WriteLine("pid " + Environment.ProcessId);
        long sum = 0;
        for (int round = 0; !File.Exists(stopFile); round++)
        {
            for (int i = 0; i < 1000; i++)
                sum += i % 7;
            Thread.Sleep(1);
        }
        File.WriteAllText(doneFile, "done " + sum);
        return 0;
    }
}
