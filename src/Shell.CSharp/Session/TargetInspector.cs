using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace CodeTracer.Shell.Session;

/// <summary>Checks that the target is a runnable .NET program before anything else happens.</summary>
internal static class TargetInspector
{
    internal static string Resolve(string target)
    {
        var full = Path.GetFullPath(target);
        switch (InputFile.KindOf(full))
        {
            case FileKind.Missing: throw new RecorderException(Errors.TargetNotFound(full));
            case FileKind.Directory: throw new RecorderException(Errors.TargetNotManaged(full, "is a folder"));
            case FileKind.Other: throw new RecorderException(Errors.TargetNotManaged(full, "is not a regular file (a FIFO, a device or a socket)"));
        }
        if (!IsManaged(full) || !File.Exists(RuntimeConfigOf(full))) throw new RecorderException(Errors.TargetNotManaged(full, "is not a .NET assembly"));
        return full;
    }

    /// <summary>The framework the program runs on, from its runtimeconfig.json (`Microsoft.NETCore.App 10.0.0`).</summary>
    internal static string RuntimeVersion(string appDll)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(RuntimeConfigOf(appDll)));
            var options = doc.RootElement.GetProperty("runtimeOptions");
            var framework = options.TryGetProperty("framework", out var f) ? f : options.GetProperty("frameworks")[0];
            return $"{framework.GetProperty("name").GetString()} {framework.GetProperty("version").GetString()}";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return "unknown";
        }
    }

    /// <summary>Where the program's runtime writes its version (beside the raw log, in the private stage).</summary>
    internal static string RanOnFile(string rawLog) => Path.Combine(Path.GetDirectoryName(rawLog)!, "runtime-version.txt");

    /// <summary>
    /// The runtime that ran the program, as it wrote it (<c>Microsoft.NETCore.App 10.0.12</c>: the
    /// host rolls forward from the runtimeconfig's version); null when it wrote nothing (it did not start).
    /// </summary>
    internal static string? RanOn(string rawLog)
    {
        var file = RanOnFile(rawLog);
        try
        {
            return File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } version ? version : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string RuntimeConfigOf(string appDll) => Path.ChangeExtension(appDll, ".runtimeconfig.json");

    private static bool IsManaged(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.HasMetadata;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
