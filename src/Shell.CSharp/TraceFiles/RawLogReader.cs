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

    /// <summary>Bytes of the log read so far (for a progress line).</summary>
    internal long BytesRead { get; private set; }

    internal IEnumerable<(long ThreadId, FSharpList<RawRecord> Records)> Chunks()
    {
        if (!File.Exists(path)) yield break;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
        var header = new byte[12];
        var data = new byte[64 * 1024];
        var tables = new Dictionary<long, FSharpMap<int, string>>();
        // Bytes of a record that continues in the thread's next chunk.
        var carried = new Dictionary<long, byte[]>();
        while (true)
        {
            var got = file.ReadAtLeast(header, 12, throwOnEndOfStream: false);
            if (got == 0) { Truncated = carried.Count > 0; yield break; }
            if (got < 12) { Truncated = true; yield break; }
            var threadId = BitConverter.ToInt64(header, 0);
            var length = BitConverter.ToInt32(header, 8);
            if (length < 0) { Truncated = true; yield break; }
            var prefix = carried.TryGetValue(threadId, out var c) ? c : [];
            var total = prefix.Length + length;
            if (total > data.Length) data = new byte[total];
            prefix.CopyTo(data, 0);
            if (file.ReadAtLeast(data.AsSpan(prefix.Length, length), length, throwOnEndOfStream: false) < length) { Truncated = true; yield break; }

            BytesRead += 12 + length;
            var table = tables.TryGetValue(threadId, out var t) ? t : MapModule.Empty<int, string>();
            var decoded = RawRecordModule.decodeChunk(table, data, 0, total);
            if (decoded.IsError) throw new RecorderException(Errors.TraceIncomplete($"{path}: thread {threadId}: {decoded.ErrorValue}"));
            var (records, newTable, used) = decoded.ResultValue;
            tables[threadId] = newTable;
            if (used < total) carried[threadId] = data[used..total];
            else carried.Remove(threadId);
            yield return (threadId, records);
        }
    }
}
