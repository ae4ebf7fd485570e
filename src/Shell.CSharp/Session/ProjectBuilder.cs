using System.Diagnostics;
using System.Text.Json;
using CodeTracer.Core.Recording;

namespace CodeTracer.Shell.Session;

/// <summary>
/// `codetracer record App.csproj`: builds the project as the user would (`dotnet build`
/// with their configuration, framework and properties; Debug by default, so that symbols
/// and locals exist) with the same dotnet, and finds the app.dll it produced.
/// </summary>
internal static class ProjectBuilder
{
    internal static bool IsProject(string target) =>
        Path.GetExtension(target) is ".csproj" or ".fsproj" or ".vbproj";

    /// <summary>
    /// The built program's path; <c>ERR_INVALID_BUILD_OPTIONS</c> when the options do not name
    /// one program (a project of several frameworks without <c>--framework</c>),
    /// <c>ERR_BUILD_FAILED</c> with the compiler's first errors.
    /// </summary>
    internal static string Build(string project, ProjectBuild.Options options, CancellationToken ct)
    {
        var full = Path.GetFullPath(project);
        if (!File.Exists(full)) throw new RecorderException(Errors.TargetNotFound(full));
        // Asked first: evaluation alone says whether the options name one program, before a long build.
        var (queried, answer) = Dotnet(ct, ProjectBuild.queryArgs(full, options));
        if (queried != 0) throw new RecorderException(Errors.BuildFailed(full, Located(answer)));
        var program = ProjectBuild.program(options, Property(answer, "TargetPath"), Property(answer, "TargetFrameworks"));
        if (program.IsError) throw new RecorderException(Errors.InvalidBuildOptions(full, program.ErrorValue));

        var (code, output) = Dotnet(ct, ProjectBuild.buildArgs(full, options));
        if (code != 0) throw new RecorderException(Errors.BuildFailed(full, Located(output)));
        return program.ResultValue;
    }

    /// <summary>The first errors, one located line each, and how many more; the whole output when it has none.</summary>
    private static string Located(string output)
    {
        var (errors, more) = ProjectBuild.firstErrors(output);
        if (errors.IsEmpty) return output.Trim();
        var shown = string.Join("\n", errors);
        return more > 0 ? $"{shown}\n… and {more} more errors" : shown;
    }

    /// <summary>A property of `msbuild -getProperty` with several names (a JSON object); empty when absent.</summary>
    private static string Property(string answer, string name)
    {
        try
        {
            using var json = JsonDocument.Parse(answer);
            return json.RootElement.GetProperty("Properties").TryGetProperty(name, out var value) ? value.GetString() ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static (int Code, string Output) Dotnet(CancellationToken ct, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Launch.DotnetHost.Path) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new RecorderException(Errors.BuildFailed(info.ArgumentList[1], "dotnet did not start"));
        // A stop ends the build at once (its output then ends too), and the recording with it.
        using var kill = ct.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } });
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        ct.ThrowIfCancellationRequested();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
