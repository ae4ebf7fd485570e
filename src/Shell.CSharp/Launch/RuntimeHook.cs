namespace CodeTracer.Shell.Launch;

/// <summary>The recorder runtime assembly that is applied to the program as its startup hook.</summary>
internal static class RuntimeHook
{
    internal static string Path { get; } = typeof(CodeTracer.Runtime.Probe).Assembly.Location;
}
