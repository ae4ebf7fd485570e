using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>The events of a trace.bin or trace.json file, decoded by the core as they are read.</summary>
public static class TraceEventReader
{
    /// <summary>
    /// The events of <paramref name="path"/> (by its name: <c>trace.bin</c> is binary, anything
    /// else JSON), read afresh on each enumeration. A trace.bin streams frame by frame; a
    /// trace.json is one array, read whole. Throws <see cref="TraceUnreadableException"/>
    /// at the first problem, <see cref="RecorderException"/> (<c>ERR_IO</c>) when the file cannot be read.
    /// </summary>
    public static IEnumerable<TraceEvent> Read(string path) =>
        Path.GetFileName(path) == TraceFolderReader.BinaryFile ? Guarded(path, () => Binary(path)) : Guarded(path, () => Json(path));

    private static IEnumerable<TraceEvent> Json(string path)
    {
        var decoded = TraceDecoder.decodeEvents(File.ReadAllBytes(path));
        if (decoded.IsError) throw new TraceUnreadableException(decoded.ErrorValue);
        return decoded.ResultValue;
    }

    /// <summary>Decodes each frame's events; an event cut by a frame's end is completed with the next frame's bytes.</summary>
    private static IEnumerable<TraceEvent> Binary(string path)
    {
        var pending = Array.Empty<byte>();
        var pendingLength = 0;
        var index = 0;
        foreach (var frame in SeekableZstdReader.Frames(path))
        {
            byte[] data;
            int length;
            if (pendingLength == 0)
            {
                (data, length) = (frame.Array!, frame.Count);
            }
            else
            {
                if (pending.Length < pendingLength + frame.Count) Array.Resize(ref pending, pendingLength + frame.Count);
                frame.AsSpan().CopyTo(pending.AsSpan(pendingLength));
                (data, length) = (pending, pendingLength + frame.Count);
            }
            var decoded = CborDecoder.decodeEvents(index, false, data, 0, length);
            if (decoded.IsError) throw new TraceUnreadableException(decoded.ErrorValue);
            var (events, used) = decoded.ResultValue;
            foreach (var e in events) yield return e;
            index += events.Length;
            var left = length - used;
            if (left > 0 && pending.Length < left) pending = new byte[Math.Max(left, 1 << 16)];
            // Within `pending` the rest moves to the front (overlapping copy is safe with spans).
            data.AsSpan(used, left).CopyTo(pending);
            pendingLength = left;
        }
        if (pendingLength > 0)
        {
            var last = CborDecoder.decodeEvents(index, true, pending, 0, pendingLength);
            throw new TraceUnreadableException(last.IsError ? last.ErrorValue : TraceProblemModule.create(TraceFolderReader.BinaryFile, "bytes after the last event"));
        }
    }

    /// <summary>Turns a file that cannot be opened or read into <c>ERR_IO</c> (raised when enumerated).</summary>
    private static IEnumerable<TraceEvent> Guarded(string path, Func<IEnumerable<TraceEvent>> events)
    {
        using var e = Open(path, events);
        while (Next(path, e)) yield return e.Current;
    }

    private static IEnumerator<TraceEvent> Open(string path, Func<IEnumerable<TraceEvent>> events)
    {
        try
        {
            return events().GetEnumerator();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.Io(path, e.Message));
        }
    }

    private static bool Next(string path, IEnumerator<TraceEvent> e)
    {
        try
        {
            return e.MoveNext();
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.Io(path, x.Message));
        }
    }
}
