using CodeTracer.Core.Common;
using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Policy;
using CodeTracer.Core.Recording;

namespace CodeTracer.Shell.Session;

/// <summary>What to record, and the policy to record it with (its out_dir is the trace folder).</summary>
/// <param name="Target">The program's app.dll.</param>
/// <param name="ProgramArgs">The program's own arguments, passed unchanged.</param>
/// <param name="Policy">The effective policy, from <see cref="PolicyResolver.Resolve"/>.</param>
public sealed record RecordRequest(string Target, IReadOnlyList<string> ProgramArgs, Policy Policy)
{
    /// <summary>`--activation`: a scope selector; recording runs from the first entry into a matching method until it returns.</summary>
    public string? Activation { get; init; }

    /// <summary>`--test`: the target is a test project or assembly, run with its framework's usual runner; ProgramArgs are the runner's.</summary>
    public bool Test { get; init; }

    /// <summary>How a project target is built (`--configuration`, `--framework`, `-p:Name=Value`); only for a project file.</summary>
    public ProjectBuild.Options Build { get; init; } = ProjectBuild.defaults;

    /// <summary>With <see cref="Test"/>: apply the test framework's built-in filter (`--no-framework-filters` turns it off).</summary>
    public bool FrameworkFilters { get; init; } = true;
}

/// <summary>How a recording ended.</summary>
/// <param name="TraceDir">The published trace folder, or null when none was kept.</param>
/// <param name="ProgramExitCode">What the program returned.</param>
/// <param name="Outcome">complete, partial, disabled, failed, or unrecorded.</param>
/// <param name="ExitCode">What the recorder should exit with (the exit-code rule of the core).</param>
/// <param name="Error">The failure that failed the run, if any.</param>
/// <param name="Warning">A recorder failure the policy tolerated (disable), if any.</param>
/// <param name="Faults">Unhandled exceptions the program died of.</param>
/// <param name="Events">Events written to the trace (trace.bin or trace.json).</param>
/// <param name="Steps">Step events.</param>
/// <param name="Calls">Call events.</param>
/// <param name="Functions">Distinct functions called, `&lt;toplevel&gt;` included.</param>
/// <param name="RecordedIn">Time from launch to the program's exit.</param>
/// <param name="ConvertedIn">Time to convert the raw log into the trace.</param>
/// <param name="RawLogBytes">Size of the raw log the program wrote.</param>
public sealed record RecordResult(
    string? TraceDir,
    int ProgramExitCode,
    string Outcome,
    int ExitCode,
    RecorderError? Error,
    RecorderError? Warning,
    IReadOnlyList<string> Faults,
    long Events,
    long Steps,
    long Calls,
    int Functions,
    TimeSpan RecordedIn,
    TimeSpan ConvertedIn,
    long RawLogBytes)
{
    /// <summary>The user stopped the recorder once the program was launched (SIGINT, SIGTERM), and in which phase; null otherwise.</summary>
    public Stop? Stopped { get; init; }

    /// <summary>The program ran unrecorded (CODETRACER_DISABLED): its own exit code is kept.</summary>
    public static RecordResult Unrecorded(int programExitCode) =>
        new(null, programExitCode, "unrecorded", programExitCode, null, null, [], 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);

    /// <summary>The recording failed after the program ran; nothing was published.</summary>
    public static RecordResult Failed(int programExitCode, RecorderError error) =>
        new(null, programExitCode, "failed", RecorderErrorModule.exitCode(error), error, null, [], 0, 0, 0, 0, TimeSpan.Zero, TimeSpan.Zero, 0);
}
