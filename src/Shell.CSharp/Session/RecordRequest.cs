using CodeTracer.Core.Policy;

namespace CodeTracer.Shell.Session;

/// <summary>What to record, and the policy to record it with (its out_dir is the trace folder).</summary>
/// <param name="Target">The program's app.dll.</param>
/// <param name="ProgramArgs">The program's own arguments, passed unchanged.</param>
/// <param name="Policy">The effective policy, from <see cref="PolicyResolver.Resolve"/>.</param>
public sealed record RecordRequest(string Target, IReadOnlyList<string> ProgramArgs, Policy Policy);

/// <summary>How a recording ended.</summary>
/// <param name="TraceDir">The finished trace folder.</param>
/// <param name="ProgramExitCode">What the program returned.</param>
/// <param name="Outcome">complete or partial.</param>
/// <param name="Events">Events written to trace.json.</param>
/// <param name="Steps">Step events.</param>
/// <param name="Calls">Call events.</param>
/// <param name="Functions">Distinct functions called, `&lt;toplevel&gt;` included.</param>
/// <param name="RecordedIn">Time from launch to the program's exit.</param>
/// <param name="ConvertedIn">Time to convert the raw log into the trace.</param>
/// <param name="RawLogBytes">Size of the raw log the program wrote.</param>
public sealed record RecordResult(
    string TraceDir,
    int ProgramExitCode,
    string Outcome,
    long Events,
    long Steps,
    long Calls,
    int Functions,
    TimeSpan RecordedIn,
    TimeSpan ConvertedIn,
    long RawLogBytes);
