using CodeTracer.Core.Common;
using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Policy;
using CodeTracer.Core.Recording;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Session;

/// <summary>What to record, and the policy to record it with (its out_dir is the trace folder).</summary>
/// <param name="Target">The program's app.dll.</param>
/// <param name="ProgramArgs">The program's own arguments, passed unchanged.</param>
/// <param name="Policy">The effective policy, from <see cref="PolicyResolver.Resolve"/>.</param>
internal sealed record RecordRequest(string Target, IReadOnlyList<string> ProgramArgs, Policy Policy)
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

/// <summary>How a recording ended: the core's verdict (outcome, exit code, error, warning) and what was recorded.</summary>
/// <param name="Verdict">The outcome, the recorder's exit code, and the failure or tolerated failure, if any.</param>
/// <param name="TraceDir">The published trace folder, or null when none was kept.</param>
/// <param name="ProgramExitCode">What the program returned.</param>
internal sealed record RecordResult(Verdict Verdict, string? TraceDir, int ProgramExitCode)
{
    /// <summary>The user stopped the recorder once the program was launched (SIGINT, SIGTERM), and in which phase.</summary>
    public FSharpOption<Stop> Stopped { get; init; } = FSharpOption<Stop>.None;

    /// <summary>Unhandled exceptions the program died of.</summary>
    public IReadOnlyList<string> Faults { get; init; } = [];

    /// <summary>Events written to the trace (trace.bin or trace.json).</summary>
    public long Events { get; init; }

    /// <summary>Step events.</summary>
    public long Steps { get; init; }

    /// <summary>Call events.</summary>
    public long Calls { get; init; }

    /// <summary>Distinct functions called, `&lt;toplevel&gt;` included.</summary>
    public int Functions { get; init; }
}
