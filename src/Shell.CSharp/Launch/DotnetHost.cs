namespace CodeTracer.Shell.Launch;

/// <summary>The `dotnet` host that runs framework-dependent programs.</summary>
internal static class DotnetHost
{
    internal static string Path { get; } = Find();

    private static string Find()
    {
        var fromEnv = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv)) return fromEnv;
        // The recorder itself runs on a dotnet host: use the same one when it is one.
        var self = Environment.ProcessPath;
        if (self is not null && System.IO.Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
