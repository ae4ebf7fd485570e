using CodeTracer.Core.Probes;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Streams the runtime's raw log chunk by chunk (<c>[int64 thread][int32 length][records]</c>)
/// and decodes each with the core, keeping one type table per thread.
/// Memory stays bounded by the largest chunk, whatever the log's size.
/// </summary>
internal sealed class RawLogReader(string path)
{
    /// <summary>Set when the log ends inside a chunk (the program died while writing it).</summary>
    internal bool Truncated { get; private set; }

    internal IEnumerable<(long ThreadId, FSharpList<RawRecord> Records)> Chunks()
    {
        if (!File.Exists(path)) yield break;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var header = new byte[12];
        var data = new byte[64 * 1024];
        var tables = new Dictionary<long, FSharpMap<int, string>>();
        while (true)
        {
            var got = file.ReadAtLeast(header, 12, throwOnEndOfStream: false);
            if (got == 0) yield break;
            if (got < 12) { Truncated = true; yield break; }
            var threadId = BitConverter.ToInt64(header, 0);
            var length = BitConverter.ToInt32(header, 8);
            if (length < 0) { Truncated = true; yield break; }
            if (length > data.Length) data = new byte[length];
            if (file.ReadAtLeast(data.AsSpan(0, length), length, throwOnEndOfStream: false) < length) { Truncated = true; yield break; }

            var table = tables.TryGetValue(threadId, out var t) ? t : MapModule.Empty<int, string>();
            var decoded = RawRecordModule.decodeChunk(table, data, 0, length);
            if (decoded.IsError) throw new RecorderException(Errors.TraceIncomplete($"{path}: thread {threadId}: {decoded.ErrorValue}"));
            tables[threadId] = decoded.ResultValue.Item2;
            yield return (threadId, decoded.ResultValue.Item1);
        }
    }
}
