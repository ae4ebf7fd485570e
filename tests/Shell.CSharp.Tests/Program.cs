namespace CodeTracer.Shell.CSharp.Tests;

/// <summary>Runs every test; <c>--filter TEXT</c> runs those whose name contains TEXT; other arguments (<c>--colours 0</c>) are ignored.</summary>
internal static class Program
{
    public static Task<int> Main(string[] args)
    {
        var i = Array.IndexOf(args, "--filter");
        var filter = i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        return Runner.RunAsync(FacadeTests.Tests, filter);
    }
}
