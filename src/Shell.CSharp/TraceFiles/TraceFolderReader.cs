namespace CodeTracer.Shell.TraceFiles;

/// <summary>The raw bytes of the three files of a trace folder, read for Core's decoders.</summary>
/// <param name="Folder">The trace folder, as a full path.</param>
/// <param name="TraceJson">The bytes of <c>trace.json</c>.</param>
/// <param name="PathsJson">The bytes of <c>trace_paths.json</c>.</param>
/// <param name="MetadataJson">The bytes of <c>trace_metadata.json</c>.</param>
public sealed record TraceFolderFiles(string Folder, byte[] TraceJson, byte[] PathsJson, byte[] MetadataJson);

/// <summary>
/// Reads a trace folder (shared/spec/trace-format.md) for <c>codetracer print</c> and
/// <c>validate</c>: the bytes as they are, so that the decoders judge the encoding too.
/// </summary>
public static class TraceFolderReader
{
    /// <summary>The name of the event stream file.</summary>
    public const string TraceFile = "trace.json";

    /// <summary>The name of the source paths file.</summary>
    public const string PathsFile = "trace_paths.json";

    /// <summary>The name of the metadata file.</summary>
    public const string MetadataFile = "trace_metadata.json";

    /// <summary>Reads the three files of <paramref name="folder"/>.</summary>
    /// <exception cref="RecorderException">
    /// <c>ERR_TRACE_MISSING</c> (a usage error) naming the path when the folder or one of
    /// its files does not exist; <c>ERR_IO</c> when a file cannot be read.
    /// </exception>
    public static TraceFolderFiles Read(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new RecorderException(Errors.TraceFolderMissing(full));
        return new TraceFolderFiles(
            full,
            ReadFile(full, TraceFile),
            ReadFile(full, PathsFile),
            ReadFile(full, MetadataFile));
    }

    private static byte[] ReadFile(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            var hint = name == TraceFile && File.Exists(Path.Combine(folder, "trace.bin"))
                ? " (the folder holds the binary trace.bin, which print and validate do not read)"
                : "";
            throw new RecorderException(Errors.TraceFileMissing(path, hint));
        }
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.Io(path, e.Message));
        }
    }
}
