using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>A trace folder opened for reading: where its events are, and the bytes of its two side files.</summary>
/// <param name="Folder">The trace folder, as a full path.</param>
/// <param name="EventsPath">The full path of <c>trace.json</c> or <c>trace.bin</c>.</param>
/// <param name="PathsJson">The bytes of <c>trace_paths.json</c>.</param>
/// <param name="MetadataJson">The bytes of <c>trace_metadata.json</c>.</param>
internal sealed record TraceFolderFiles(string Folder, string EventsPath, byte[] PathsJson, byte[] MetadataJson)
{
    /// <summary>
    /// The events, read from the file each time they are enumerated (a trace.bin frame by
    /// frame). Enumerating throws <see cref="TraceUnreadableException"/> at the first problem.
    /// </summary>
    public IEnumerable<TraceEvent> Events => TraceEventReader.Read(EventsPath);
}

/// <summary>
/// Reads a trace folder (shared/spec/trace-format.md) for <c>codetracer print</c> and
/// <c>validate</c>: the side files' bytes as they are, so that the decoders judge the
/// encoding too, and the events file of either format.
/// </summary>
internal static class TraceFolderReader
{
    /// <summary>The name of the JSON event stream file.</summary>
    public const string JsonFile = "trace.json";

    /// <summary>The name of the binary event stream file.</summary>
    public const string BinaryFile = "trace.bin";

    /// <summary>The name of the source paths file.</summary>
    public const string PathsFile = "trace_paths.json";

    /// <summary>The name of the metadata file.</summary>
    public const string MetadataFile = "trace_metadata.json";

    /// <summary>Opens <paramref name="folder"/>: trace.json when present (as the loader prefers it), else trace.bin.</summary>
    /// <exception cref="RecorderException">
    /// <c>ERR_TRACE_MISSING</c> (a usage error) naming the path when the folder or one of
    /// its files does not exist; <c>ERR_IO</c> when a file cannot be read.
    /// </exception>
    public static TraceFolderFiles Read(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) throw new RecorderException(Errors.TraceFolderMissing(full));
        var events = new[] { JsonFile, BinaryFile }.Select(name => Path.Combine(full, name)).FirstOrDefault(File.Exists)
            ?? throw new RecorderException(Errors.TraceEventsMissing(full));
        return new TraceFolderFiles(full, events, ReadFile(full, PathsFile), ReadFile(full, MetadataFile));
    }

    private static byte[] ReadFile(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (!File.Exists(path)) throw new RecorderException(Errors.TraceFileMissing(path));
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
