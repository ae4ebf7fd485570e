using CodeTracer.Core.Recording;
using CoreOutcome = CodeTracer.Core.Recording.Outcome;

namespace CodeTracer.Shell;

/// <summary>How a recording ended, as <see cref="CodeTracerRecorder.RecordAsync"/> returns it.</summary>
public sealed class RecordingOutcome
{
    private readonly CoreOutcome outcome;

    internal RecordingOutcome(CoreOutcome outcome) => this.outcome = outcome;

    /// <summary>The published trace folder (a full path), or null when no trace was kept.</summary>
    public string? TraceDir { get; internal init; }

    /// <summary>How the recording ended.</summary>
    public OutcomeKind Outcome => KindOf(outcome);

    /// <summary>True when the recording did not fail (<see cref="ErrorCode"/> is null).</summary>
    public bool Succeeded => ErrorCode is null;

    /// <summary>What the program returned; null when it never ran (a failure before launch).</summary>
    public int? ProgramExitCode { get; internal init; }

    /// <summary>What <c>codetracer record</c> would exit with: 0 recorded, 1 recorder failure, 2 usage error.</summary>
    public int ExitCode { get; internal init; }

    /// <summary>The error code of the failure (<c>ERR_TARGET_NOT_FOUND</c>, ...), or null.</summary>
    public string? ErrorCode { get; internal init; }

    /// <summary>The failure's one-line message, or null.</summary>
    public string? ErrorMessage { get; internal init; }

    /// <summary>The code of a recorder failure the policy tolerated (<see cref="RecorderErrorMode.Disable"/>), or null.</summary>
    public string? WarningCode { get; internal init; }

    /// <summary>Unhandled exceptions the program died of.</summary>
    public IReadOnlyList<string> Faults { get; internal init; } = [];

    /// <summary>Events written to the trace (trace.bin or trace.json).</summary>
    public long Events { get; internal init; }

    /// <summary>Step events.</summary>
    public long Steps { get; internal init; }

    /// <summary>Call events, the <c>&lt;toplevel&gt;</c> call included.</summary>
    public long Calls { get; internal init; }

    /// <summary>Distinct functions called, <c>&lt;toplevel&gt;</c> included.</summary>
    public int Functions { get; internal init; }

    /// <summary>The outcome in the words of trace_metadata.json and the CLI (<c>complete</c>, ...).</summary>
    public override string ToString() =>
        ErrorCode is null
            ? $"{OutcomeModule.text(outcome)}: {TraceDir} ({Calls} calls of {Functions} functions, {Steps} steps, {Events} events)"
            : $"{OutcomeModule.text(outcome)}: {ErrorCode}: {ErrorMessage}";

    /// <summary>The core's outcome as the facade's enum: each case to the member of its name.</summary>
    internal static OutcomeKind KindOf(CoreOutcome outcome) => outcome.Tag switch
    {
        CoreOutcome.Tags.Complete => OutcomeKind.Complete,
        CoreOutcome.Tags.Partial => OutcomeKind.Partial,
        CoreOutcome.Tags.Truncated => OutcomeKind.Truncated,
        CoreOutcome.Tags.Disabled => OutcomeKind.Disabled,
        CoreOutcome.Tags.Failed => OutcomeKind.Failed,
        CoreOutcome.Tags.Unrecorded => OutcomeKind.Unrecorded,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "an outcome the facade does not know"),
    };
}
