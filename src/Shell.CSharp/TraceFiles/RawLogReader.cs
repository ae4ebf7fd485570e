using CodeTracer.Core.Probes;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Reads the runtime's raw log while the program writes it and decodes it with the core,
/// keeping one type table per thread. A <see cref="RawLogDrain"/> on a thread of its own
/// copies the log into memory in the order the threads' records must be read (bounded by its
/// <see cref="RawLogDrain.MemoryLimit"/>); this decodes the copies at the conversion's pace, so
/// each thread's records come in order, and a record cut at a part's end waits for the rest,
/// in the thread's next part.
/// </summary>
internal sealed class RawLogReader(string path, Task programEnded)
{
    /// <summary>Set when the log ends inside a record (the program died while writing it).</summary>
    internal bool Truncated { get; private set; }

    /// <summary>Set when the runtime stopped capturing at max_trace_size (known once the program ended).</summary>
    internal bool CaptureStopped { get; private set; }

    /// <summary>Bytes of records read so far (for a progress line and the summary).</summary>
    internal long BytesRead { get; private set; }

    /// <summary>Bytes of records committed so far, read or not (for a progress line).</summary>
    internal long BytesCommitted => BytesRead + (_drain?.Queued ?? 0) + (_drain?.Waiting ?? 0);

    private RawLogDrain? _drain;

    internal IEnumerable<(long ThreadId, FSharpList<RawRecord> Records)> Chunks()
    {
        var drain = _drain = new RawLogDrain(path, programEnded);
        using var stop = new CancellationTokenSource();
        var draining = new Thread(() => drain.Run(stop.Token)) { IsBackground = true, Name = "raw log drain" };
        draining.Start();
        try
        {
            var tables = new Dictionary<long, FSharpMap<int, string>>();
            // Bytes of a record that continues in the thread's next part.
            var carried = new Dictionary<long, byte[]>();
            var joined = Array.Empty<byte>();
            foreach (var part in drain.Parts.GetConsumingEnumerable())
            {
                FSharpList<RawRecord> records;
                if (carried.TryGetValue(part.Thread, out var prefix))
                {
                    if (prefix.Length + part.Length > joined.Length) joined = new byte[prefix.Length + part.Length];
                    prefix.CopyTo(joined, 0);
                    part.Bytes.AsSpan(0, part.Length).CopyTo(joined.AsSpan(prefix.Length));
                    records = Decode(part.Thread, joined, prefix.Length + part.Length, tables, carried);
                }
                else
                {
                    records = Decode(part.Thread, part.Bytes, part.Length, tables, carried);
                }
                drain.Done(part);
                BytesRead += part.Length;
                if (!records.IsEmpty) yield return (part.Thread, records);
            }
            if (drain.Failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(drain.Failure).Throw();
            var (thread, detach) = drain.Detach;
            if (detach.Length > 0)
            {
                var records = Decode(thread, detach, detach.Length, tables, new Dictionary<long, byte[]>());
                if (!records.IsEmpty) yield return (thread, records);
            }
            Truncated = carried.Count > 0;
            CaptureStopped = drain.CaptureStopped;
        }
        finally
        {
            stop.Cancel();
            draining.Join();
        }
    }

    /// <summary>Decodes a thread's next bytes (its carried tail first); keeps a record they cut for its next part.</summary>
    private FSharpList<RawRecord> Decode(
        long thread, byte[] data, int count, Dictionary<long, FSharpMap<int, string>> tables, Dictionary<long, byte[]> carried)
    {
        var table = tables.TryGetValue(thread, out var t) ? t : MapModule.Empty<int, string>();
        var decoded = RawRecordModule.decodeChunk(table, data, 0, count);
        if (decoded.IsError) throw new RecorderException(Errors.TraceIncomplete($"{path}: thread {thread}: {decoded.ErrorValue}"));
        var (records, newTable, used) = decoded.ResultValue;
        tables[thread] = newTable;
        if (used < count) carried[thread] = data[used..count];
        else carried.Remove(thread);
        return records;
    }
}
