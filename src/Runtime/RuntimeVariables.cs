namespace CodeTracer.Runtime;

/// <summary>
/// The environment variables the shell sets for the recorded program and this runtime reads:
/// the one place their names are written. The shell compiles against these constants
/// (it references this assembly, which lets it see them), so the two sides cannot drift apart.
/// </summary>
internal static class RuntimeVariables
{
    /// <summary>The raw log's path; without it the runtime records nothing.</summary>
    internal const string RawLog = "CODETRACER_RAW_LOG";

    /// <summary>
    /// The user's application folder, which the runtime makes the program's
    /// <c>AppContext.BaseDirectory</c> (the program runs from the staging copy).
    /// </summary>
    internal const string AppBase = "CODETRACER_APP_BASE";

    /// <summary>The file the runtime writes <c>Microsoft.NETCore.App version</c> to, for the metadata.</summary>
    internal const string RuntimeVersionFile = "CODETRACER_RUNTIME_VERSION_FILE";

    /// <summary>Where the program's stderr goes once its stack is nearly full.</summary>
    internal const string OverflowStderr = "CODETRACER_OVERFLOW_STDERR";

    /// <summary><c>fd</c>, or on Linux <c>fd pipe:[inode]</c>: the inherited read end of the recorder's lifeline.</summary>
    internal const string RecorderPipe = "CODETRACER_RECORDER_PIPE";

    /// <summary>The raw log's budget in segments (max_trace_size); capture stops past it.</summary>
    internal const string RawLogSegments = "CODETRACER_RAW_LOG_SEGMENTS";

    /// <summary><c>1</c>: the probes start off and an activation method turns them on.</summary>
    internal const string Activation = "CODETRACER_ACTIVATION";

    /// <summary>The file of the field policies (values redacted per type and field).</summary>
    internal const string FieldPolicies = "CODETRACER_FIELD_POLICIES";

    /// <summary><c>off</c>: console output is not captured.</summary>
    internal const string CaptureIo = "CODETRACER_CAPTURE_IO";

    /// <summary>How deep values are walked.</summary>
    internal const string MaxDepth = "CODETRACER_MAX_DEPTH";

    /// <summary>How many elements of a collection are recorded.</summary>
    internal const string MaxElements = "CODETRACER_MAX_ELEMENTS";

    /// <summary>How many characters of a string are recorded.</summary>
    internal const string MaxString = "CODETRACER_MAX_STRING";

    /// <summary><c>1</c>: the test-only failure injection is armed (tests only).</summary>
    internal const string TestHooks = "CODETRACER_TEST_HOOKS";

    /// <summary><c>point[:n]</c>: where an armed failure injection fails (tests only).</summary>
    internal const string TestFailAt = "CODETRACER_TEST_FAIL_AT";
}
