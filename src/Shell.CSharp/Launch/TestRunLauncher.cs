using System.Diagnostics;
using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Recording;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Launch;

/// <summary>
/// `record --test`: runs the staged test assembly with the usual runner
/// (`dotnet test`, VSTest). The runner stays unrecorded; the test host process it
/// starts loads the recorder runtime as a startup hook, given to it alone through
/// the run settings' environment variables, merged into the user's own settings.
/// </summary>
internal static class TestRunLauncher
{
    /// <summary>Runs the tests; <paramref name="request"/>'s Args are the runner's arguments.</summary>
    internal static async Task<LaunchResult> RunAsync(LaunchRequest request, string settingsFolder, CancellationToken stop, Func<StopSignal> signal)
    {
        var (userSettings, rest) = TestRun.splitSettings(ListModule.OfSeq(request.Args)).ToValueTuple();
        var settingsFile = Path.Combine(settingsFolder, "codetracer.runsettings");
        File.WriteAllText(settingsFile, Settings(userSettings?.Value, request));

        var info = new ProcessStartInfo(DotnetHost.Path) { UseShellExecute = false, WorkingDirectory = request.WorkingDirectory };
        foreach (var a in TestRun.runnerArgs(request.ProgramDll, FSharpOption<string>.Some(settingsFile), rest)) info.ArgumentList.Add(a);
        using var process = Process.Start(info)
            ?? throw new RecorderException(Errors.LaunchFailed(request.ProgramDll, "dotnet test did not start"));
        request.Started?.Invoke(process);
        return await ProgramLauncher.WaitAsync(process, stop, signal).ConfigureAwait(false);
    }

    /// <summary>The runner's arguments for an unrecorded run (CODETRACER_DISABLED).</summary>
    internal static IEnumerable<string> UnrecordedArgs(string testDll, IReadOnlyList<string> runnerArgs) =>
        TestRun.runnerArgs(testDll, FSharpOption<string>.None, ListModule.OfSeq(runnerArgs));

    private static string Settings(string? userFile, LaunchRequest request)
    {
        string? userText = null;
        if (userFile is not null)
        {
            var path = Path.GetFullPath(userFile, request.WorkingDirectory);
            if (!File.Exists(path)) throw new RecorderException(Errors.InvalidRunSettings(path, "no such file"));
            userText = File.ReadAllText(path);
        }
        var variables = request.Environment.Select(kv => Tuple.Create(kv.Key, kv.Value))
            .Append(Tuple.Create("DOTNET_STARTUP_HOOKS", request.RuntimeHookPath));
        var merged = TestRun.withEnvironment(
            userText is null ? FSharpOption<string>.None : FSharpOption<string>.Some(userText), ListModule.OfSeq(variables));
        if (merged.IsError) throw new RecorderException(Errors.InvalidRunSettings(Path.GetFullPath(userFile!, request.WorkingDirectory), merged.ErrorValue));
        return merged.ResultValue;
    }
}
