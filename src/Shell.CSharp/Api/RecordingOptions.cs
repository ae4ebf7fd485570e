namespace CodeTracer.Shell;

/// <summary>What a recorder failure does to the recording (the policy's <c>on_recorder_error</c>).</summary>
public enum RecorderErrorMode
{
    /// <summary>Fail the recording; the program still runs to its end.</summary>
    Abort,

    /// <summary>Detach the recorder, let the program run on and keep the trace as partial.</summary>
    Disable,
}

/// <summary>Which program output becomes trace events (the policy's <c>io_capture</c>).</summary>
public enum IoCaptureMode
{
    /// <summary>No output is recorded.</summary>
    Off,

    /// <summary>What the program writes to <see cref="System.Console"/> is recorded.</summary>
    Console,
}

/// <summary>Which file holds the trace's events (the policy's <c>format</c>).</summary>
public enum TraceFileFormat
{
    /// <summary><c>trace.bin</c>: CBOR events in zstd frames with a seek table (the default).</summary>
    Binary,

    /// <summary><c>trace.json</c>: one JSON array.</summary>
    Json,
}

/// <summary>How much the recorder logs (the policy's <c>log_level</c>).</summary>
public enum RecorderLogLevel
{
    /// <summary>Everything.</summary>
    Trace,

    /// <summary>Debugging detail and up.</summary>
    Debug,

    /// <summary>What each stage did, and up.</summary>
    Info,

    /// <summary>Warnings and errors (the default).</summary>
    Warn,

    /// <summary>Errors only.</summary>
    Error,
}

/// <summary>
/// How to record a program. Every property left at null keeps the value of the
/// layers below: the defaults, then the <c>CODETRACER_*</c> environment variables;
/// a value set here wins over both.
/// </summary>
public sealed class RecordingOptions
{
    /// <summary>The trace folder to write (default <c>./trace-out</c>).</summary>
    public string? OutDir { get; set; }

    /// <summary>The format of the trace's events (default <see cref="TraceFileFormat.Binary"/>).</summary>
    public TraceFileFormat? Format { get; set; }

    /// <summary>The program's own arguments, passed unchanged.</summary>
    public IList<string> ProgramArgs { get; set; } = new List<string>();

    /// <summary>What a recorder failure does: fail the recording or detach and keep a partial trace.</summary>
    public RecorderErrorMode? OnRecorderError { get; set; }

    /// <summary>Keep the partial trace of a failed recording instead of deleting it.</summary>
    public bool? KeepPartialTrace { get; set; }

    /// <summary>Fail the recording when no call was recorded.</summary>
    public bool? RequireTrace { get; set; }

    /// <summary>Make <see cref="RecordingOutcome.ExitCode"/> the program's own exit code.</summary>
    public bool? PropagateExitCode { get; set; }

    /// <summary>How deep nested values are captured.</summary>
    public int? MaxDepth { get; set; }

    /// <summary>How many elements of a collection are captured.</summary>
    public int? MaxElements { get; set; }

    /// <summary>How many characters of a string are captured.</summary>
    public int? MaxString { get; set; }

    /// <summary>Bytes of raw log after which capture stops and the program runs on unrecorded (0: no limit; default 4 GiB).</summary>
    public long? MaxTraceSize { get; set; }

    /// <summary>Which program output becomes trace events.</summary>
    public IoCaptureMode? IoCapture { get; set; }

    /// <summary>How much the recorder logs (JSON lines on stderr, or to <see cref="LogFile"/>).</summary>
    public RecorderLogLevel? LogLevel { get; set; }

    /// <summary>The file the recorder logs to instead of stderr.</summary>
    public string? LogFile { get; set; }

    /// <summary>
    /// Trace filter files (shared/spec/trace-filter.md), applied in order after the
    /// built-in filter and the project's <c>.codetracer/trace-filter.toml</c>.
    /// Null keeps the environment's; an empty list clears them.
    /// </summary>
    public IList<string>? TraceFilters { get; set; }

    /// <summary>
    /// A scope selector such as <c>obj:App.Program.Run</c>: recording runs from the first
    /// entry into a matching method until it returns. Null records the whole run.
    /// </summary>
    public string? Activation { get; set; }

    /// <summary>
    /// The target is a test project or assembly (xUnit, NUnit, MSTest): its tests run with
    /// the framework's usual runner, <see cref="ProgramArgs"/> being the runner's arguments.
    /// </summary>
    public bool Test { get; set; }

    /// <summary>With <see cref="Test"/>: apply the test framework's built-in filter (the default).</summary>
    public bool FrameworkFilters { get; set; } = true;

    /// <summary>With a project file as target: the configuration to build, as <c>dotnet build -c</c> (null: Debug).</summary>
    public string? Configuration { get; set; }

    /// <summary>With a project file as target: the target framework to build and run, as <c>dotnet build -f</c> (needed when it has several).</summary>
    public string? Framework { get; set; }

    /// <summary>With a project file as target: MSBuild properties for its build, in order, as <c>-p:Name=Value</c>.</summary>
    public IList<KeyValuePair<string, string>> Properties { get; set; } = new List<KeyValuePair<string, string>>();
}
