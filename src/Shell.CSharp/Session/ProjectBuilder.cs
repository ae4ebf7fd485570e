using System.Diagnostics;

namespace CodeTracer.Shell.Session;

/// <summary>
/// `codetracer record App.csproj`: builds the project in Debug (so that symbols
/// and locals exist) with the same dotnet, and finds the app.dll it produced.
/// </summary>
internal static class ProjectBuilder
{
    internal static bool IsProject(string target) =>
        Path.GetExtension(target) is ".csproj" or ".fsproj" or ".vbproj";

    /// <summary>The built program's path, or <c>ERR_BUILD_FAILED</c> with the compiler's error lines.</summary>
    internal static string Build(string project, CancellationToken ct)
    {
        var full = Path.GetFullPath(project);
        if (!File.Exists(full)) throw new RecorderException(Errors.TargetNotFound(full));
        var (code, output) = Dotnet(ct, "build", full, "-c", "Debug", "-nologo", "-v", "q");
        if (code != 0)
        {
            var errors = output.Split('\n').Select(l => l.Trim()).Where(l => l.Contains(": error ")).Distinct().ToList();
            throw new RecorderException(Errors.BuildFailed(full, errors.Count > 0 ? string.Join("\n", errors) : output.Trim()));
        }
        var (_, path) = Dotnet(ct, "msbuild", full, "-nologo", "-p:Configuration=Debug", "-getProperty:TargetPath");
        return path.Trim();
    }

    private static (int Code, string Output) Dotnet(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo(Launch.DotnetHost.Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new RecorderException(Errors.BuildFailed(args[1], "dotnet did not start"));
        // A stop ends the build at once (its output then ends too), and the recording with it.
        using var kill = ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        ct.ThrowIfCancellationRequested();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
