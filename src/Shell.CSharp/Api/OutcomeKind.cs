namespace CodeTracer.Shell;

/// <summary>How a recording ended (<see cref="RecordingOutcome.Outcome"/>, <see cref="TraceSummary.Outcome"/>).</summary>
public enum OutcomeKind
{
    /// <summary>Every call returned and the program's exit handlers ran: the whole run is in the trace.</summary>
    Complete,

    /// <summary>A trace was kept, but the program died, was killed or stopped, or a call never returned.</summary>
    Partial,

    /// <summary>Capture stopped at <see cref="RecordingOptions.MaxTraceSize"/>; the program ran on unrecorded.</summary>
    Truncated,

    /// <summary>The recorder failed under <see cref="RecorderErrorMode.Disable"/>: the trace ends there, the program ran on.</summary>
    Disabled,

    /// <summary>The recording failed (<see cref="RecordingOutcome.ErrorCode"/> says why).</summary>
    Failed,

    /// <summary><c>CODETRACER_DISABLED</c>: the program ran without the recorder; there is no trace.</summary>
    Unrecorded,
}
