using CodeTracer.Core.Common;
using CodeTracer.Core.Diagnostics;

namespace CodeTracer.Shell;

/// <summary>The errors the shell raises, each with its code and the context that explains it.</summary>
internal static class Errors
{
    private static RecorderError Make(ErrorKind kind, string code, string message, params (string Key, string Value)[] context)
    {
        var e = RecorderErrorModule.create(kind, code, message);
        foreach (var (k, v) in context) e = RecorderErrorModule.withContext(k, v, e);
        return e;
    }

    internal static RecorderError TargetNotFound(string path) =>
        Make(ErrorKind.Usage, "ERR_TARGET_NOT_FOUND", $"{path}: no such file (expected a .NET app.dll)", ("target", path));

    internal static RecorderError TargetNotManaged(string path, string why) =>
        Make(ErrorKind.Usage, "ERR_TARGET_NOT_MANAGED", $"{path}: {why} (expected a managed app.dll with a runtimeconfig.json)", ("target", path));

    internal static RecorderError NoSymbols(string path) =>
        Make(ErrorKind.Target, "ERR_NO_SYMBOLS", $"{path}: no assembly with symbols (portable or embedded PDB) to record; build it in Debug", ("target", path));

    internal static RecorderError TraceDirConflict(string path, string reason) =>
        Make(ErrorKind.Usage, "ERR_TRACE_DIR_CONFLICT", $"{path}: not used as the output folder: {reason}", ("out_dir", path));

    internal static RecorderError TooLittleSpace(string path, long freeBytes) =>
        Make(ErrorKind.Environment, "ERR_DISK_FULL", $"{path}: only {freeBytes >> 20} MB free there, too little to write a trace", ("path", path), ("free_bytes", freeBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    internal static RecorderError TraceDirCreateFailed(string path, string why) =>
        Make(ErrorKind.Environment, "ERR_TRACE_DIR_CREATE_FAILED", $"{path}: cannot create the output folder: {why}", ("out_dir", path));

    internal static RecorderError LaunchFailed(string program, string why) =>
        Make(ErrorKind.Internal, "ERR_LAUNCH_FAILED", $"{program}: could not start the program under the recorder: {why}", ("program", program));

    internal static RecorderError InstrumentationFailed(string assembly, string why) =>
        Make(ErrorKind.Internal, "ERR_INSTRUMENTATION_FAILED", $"{assembly}: instrumentation failed: {why}", ("assembly", assembly));

    internal static RecorderError TraceIncomplete(string why) =>
        Make(ErrorKind.Internal, "ERR_TRACE_INCOMPLETE", $"the raw log could not be converted: {why}");

    internal static RecorderError NotATestAssembly(string path) =>
        Make(ErrorKind.Usage, "ERR_NOT_A_TEST_ASSEMBLY", $"{path}: not a test assembly (expected an xUnit, NUnit or MSTest test project or its built assembly, with its test host or test platform beside it)", ("target", path));

    internal static RecorderError InvalidRunSettings(string path, string why) =>
        Make(ErrorKind.Usage, "ERR_INVALID_RUNSETTINGS", $"{path}: bad run settings: {why}", ("settings", path));

    internal static RecorderError BuildFailed(string project, string compilerOutput) =>
        Make(ErrorKind.Target, "ERR_BUILD_FAILED", $"{project}: the build failed:\n{compilerOutput}", ("project", project));

    internal static RecorderError InvalidBuildOptions(string project, string why) =>
        Make(ErrorKind.Usage, "ERR_INVALID_BUILD_OPTIONS", $"{project}: {why}", ("project", project));

    internal static RecorderError BadActivation(string why) =>
        Make(ErrorKind.Usage, "ERR_INVALID_ACTIVATION", why);

    internal static RecorderError InvalidFilter(string errors) =>
        Make(ErrorKind.Usage, "ERR_INVALID_FILTER", errors);

    internal static RecorderError RecorderDetached(string reason) =>
        Make(ErrorKind.Internal, "ERR_RECORDER_DETACHED", $"the recorder failed inside the program and detached: {reason}", ("reason", reason));

    internal static RecorderError FinalisationFailed(string why) =>
        Make(ErrorKind.Internal, "ERR_FINALISATION_FAILED", $"the trace folder could not be finalised: {why}");

    internal static RecorderError TraceFolderMissing(string path) =>
        Make(ErrorKind.Usage, "ERR_TRACE_MISSING", $"{path}: no such trace folder", ("trace_dir", path));

    internal static RecorderError TraceFileMissing(string path) =>
        Make(ErrorKind.Usage, "ERR_TRACE_MISSING", $"{path}: no such file", ("path", path));

    internal static RecorderError TraceEventsMissing(string folder) =>
        Make(ErrorKind.Usage, "ERR_TRACE_MISSING", $"{folder}: no trace.bin or trace.json", ("trace_dir", folder));

    /// <summary>
    /// Whether a failed write is the file system refusing room: no space, quota (an
    /// <see cref="IOException"/> with the errno on Unix: ENOSPC, EDQUOT on Linux and macOS;
    /// the HRESULT on Windows), or the file size limit (EFBIG, which .NET reports as an
    /// <see cref="ArgumentOutOfRangeException"/> thrown by System.IO's own write).
    /// </summary>
    internal static bool IsDiskFull(Exception e) => e switch
    {
        IOException io => io.HResult is 28 or 122 or 69 or 27 or unchecked((int)0x80070070) or unchecked((int)0x80070027),
        ArgumentOutOfRangeException => e.TargetSite?.DeclaringType?.Namespace == "System.IO",
        _ => false,
    };

    /// <summary>ERR_DISK_FULL for <paramref name="path"/> when the error is a full disk, else ERR_IO.</summary>
    internal static RecorderError IoOrDiskFull(string path, IOException e) =>
        IsDiskFull(e) ? DiskFull.error(path, e.Message) : Io(path, e.Message);

    internal static RecorderError Io(string path, string why) =>
        Make(ErrorKind.Environment, "ERR_IO", $"{path}: {why}", ("path", path));
}
