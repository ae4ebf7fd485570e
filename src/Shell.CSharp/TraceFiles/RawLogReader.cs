using System.IO.MemoryMappedFiles;
using CodeTracer.Core.Probes;
using Microsoft.FSharp.Collections;
using RawLog = CodeTracer.Runtime.RawLog;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// What the reader derives from the raw log's layout, which is the runtime's own constants
/// (src/Runtime/RawLog.cs, compiled against, not copied): a header, then fixed segments, each
/// <c>[int64 thread id][int32 committed][int32 sealed]</c> and the thread's records.
/// </summary>
internal static class RawLogLayout
{
    /// <summary>The bytes of records a segment holds.</summary>
    internal const int Payload = RawLog.SegmentSize - RawLog.SegmentHeader;

    /// <summary>Where the segment of this index starts in the file.</summary>
    internal static long SegmentStart(long index) => RawLog.HeaderSize + index * RawLog.SegmentSize;
}

/// <summary>
/// Reads the runtime's raw log while the program writes it, and decodes it with the core,
/// keeping one type table per thread. Segments are visited in the order threads took them; a
/// sealed segment is read to its end, an unsealed one only once <see cref="UnsealedPart"/>
/// committed bytes wait in it (so a thread that writes a little and idles neither stalls the
/// others nor makes a thread switch per poll), and everything committed once the program has
/// ended (<paramref name="programEnded"/> completed: the file is final). A thread's segment is
/// never read past a part of its earlier segment still unread, so each thread's records come
/// in order; a record cut at a committed boundary waits for the rest, in the thread's next part.
/// Memory stays bounded by a segment, whatever the log's size: the data is read with pread
/// into one buffer, and only the headers of segments still being written are mapped.
/// </summary>
internal sealed class RawLogReader(string path, Task programEnded)
{
    /// <summary>An unsealed segment's committed bytes are taken once this many wait (or the program ended).</summary>
    internal const int UnsealedPart = 32 * 1024;

    /// <summary>The most bytes decoded at once (the runtime's former buffer size: the converter's batches stay as they were).</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>How long to wait before looking again when nothing new was read.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>Set when the log ends inside a record (the program died while writing it).</summary>
    internal bool Truncated { get; private set; }

    /// <summary>Set when the runtime stopped capturing at max_trace_size (known once the program ended).</summary>
    internal bool CaptureStopped { get; private set; }

    /// <summary>Bytes of records read so far (for a progress line and the summary).</summary>
    internal long BytesRead { get; private set; }

    /// <summary>Bytes of records committed so far, read or not (for a progress line).</summary>
    internal long BytesCommitted => BytesRead + _waiting;

    private long _waiting;

    private sealed class Segment(long index, MemoryMappedViewAccessor header) : IDisposable
    {
        internal readonly long Index = index;
        internal readonly MemoryMappedViewAccessor Header = header;
        internal long Thread;
        internal int Consumed;
        public void Dispose() => Header.Dispose();
    }

    internal IEnumerable<(long ThreadId, FSharpList<RawRecord> Records)> Chunks()
    {
        FileStream? file = null;
        MemoryMappedViewAccessor? header = null;
        var open = new List<Segment>();
        try
        {
            while (true)
            {
                var ended = programEnded.IsCompleted;
                (file, header) = TryOpen();
                if (file is not null) break;
                if (ended) yield break;
                programEnded.Wait(Poll);
            }
            var tables = new Dictionary<long, FSharpMap<int, string>>();
            // Bytes of a record that continues in the thread's next part.
            var carried = new Dictionary<long, byte[]>();
            var data = new byte[ChunkSize];
            var blocked = new HashSet<long>();
            long next = 0;
            while (true)
            {
                // Read before the headers: once the program has ended, what they say is final.
                var ended = programEnded.IsCompleted;
                OpenNew(file, header!.ReadInt64(RawLog.TakenOffset), ref next, open);
                Interlocked.MemoryBarrier();
                var progressed = false;
                long waiting = 0;
                blocked.Clear();
                foreach (var s in open)
                {
                    if (s.Thread == 0) s.Thread = s.Header.ReadInt64(RawLog.ThreadOffset);
                    // Taken but not started yet, or (once the program ended) never started.
                    if (s.Thread == 0) continue;
                    // The seal first: the owner stores the final length before it.
                    var isSealed = s.Header.ReadInt32(RawLog.SealedOffset) != 0;
                    Interlocked.MemoryBarrier();
                    var committed = s.Header.ReadInt32(RawLog.CommittedOffset);
                    Interlocked.MemoryBarrier();
                    if (committed < s.Consumed || committed > RawLogLayout.Payload)
                        throw new RecorderException(Errors.TraceIncomplete($"{path}: segment {s.Index}: committed length {committed} out of bounds"));
                    var available = committed - s.Consumed;
                    if (available > 0 && !blocked.Contains(s.Thread) && (isSealed || ended || available >= UnsealedPart))
                    {
                        progressed = true;
                        // In parts of at most ChunkSize: the batches the converter hands on stay small.
                        for (; available > 0; available = committed - s.Consumed)
                        {
                            var part = Math.Min(available, ChunkSize);
                            var prefix = carried.TryGetValue(s.Thread, out var c) ? c : [];
                            if (prefix.Length + part > data.Length) data = new byte[prefix.Length + part];
                            prefix.CopyTo(data, 0);
                            var got = RandomAccess.Read(file.SafeFileHandle, data.AsSpan(prefix.Length, part),
                                RawLogLayout.SegmentStart(s.Index) + RawLog.SegmentHeader + s.Consumed);
                            if (got < part) throw new RecorderException(Errors.TraceIncomplete($"{path}: segment {s.Index} ends before its committed length"));
                            s.Consumed += part;
                            BytesRead += part;
                            var records = Decode(s.Thread, data, prefix.Length + part, tables, carried);
                            if (!records.IsEmpty) yield return (s.Thread, records);
                        }
                    }
                    else
                    {
                        waiting += available;
                    }
                    // A later segment of this thread waits until this one is read to its end.
                    if (s.Consumed < committed || !(isSealed || ended)) blocked.Add(s.Thread);
                }
                _waiting = waiting;
                if (ended)
                {
                    if (DetachRecord(header) is var (thread, detach) && detach.Length > 0)
                    {
                        var records = Decode(thread, detach, detach.Length, tables, new Dictionary<long, byte[]>());
                        if (!records.IsEmpty) yield return (thread, records);
                    }
                    Truncated = carried.Count > 0;
                    CaptureStopped = header.ReadInt32(RawLog.StoppedOffset) != 0;
                    yield break;
                }
                open.RemoveAll(s =>
                {
                    var done = s.Thread != 0 && s.Header.ReadInt32(RawLog.SealedOffset) != 0
                        && s.Consumed == s.Header.ReadInt32(RawLog.CommittedOffset);
                    if (done) s.Dispose();
                    return done;
                });
                if (!progressed) programEnded.Wait(Poll);
            }
        }
        finally
        {
            foreach (var s in open) s.Dispose();
            header?.Dispose();
            file?.Dispose();
        }
    }

    /// <summary>The log and its mapped header, once the runtime has created it (null until then).</summary>
    private (FileStream?, MemoryMappedViewAccessor?) TryOpen()
    {
        if (!File.Exists(path)) return (null, null);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length < RawLog.HeaderSize)
        {
            file.Dispose();
            return (null, null);
        }
        var header = MapHeader(file, 0, RawLog.HeaderSize);
        var magic = header.ReadInt64(0);
        if (magic == RawLog.Magic && header.ReadInt32(RawLog.SegmentSizeOffset) == RawLog.SegmentSize) return (file, header);
        header.Dispose();
        file.Dispose();
        if (magic == 0) return (null, null);
        throw new RecorderException(Errors.TraceIncomplete($"{path}: not a raw log of this recorder"));
    }

    /// <summary>Maps the headers of segments taken since the last look whose storage exists.</summary>
    private static void OpenNew(FileStream file, long taken, ref long next, List<Segment> open)
    {
        var length = RandomAccess.GetLength(file.SafeFileHandle);
        // A segment beyond the file's end is being given storage (or, once the program ended, never got any).
        if (next >= taken || RawLogLayout.SegmentStart(next + 1) > length) return;
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        for (; next < taken && RawLogLayout.SegmentStart(next + 1) <= length; next++)
            open.Add(new Segment(next, map.CreateViewAccessor(RawLogLayout.SegmentStart(next), RawLog.SegmentHeader, MemoryMappedFileAccess.Read)));
    }

    private static MemoryMappedViewAccessor MapHeader(FileStream file, long offset, int length)
    {
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        return map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.Read);
    }

    /// <summary>The Detach record the runtime left in the header, with its thread (none: empty).</summary>
    private static (long, byte[]) DetachRecord(MemoryMappedViewAccessor header)
    {
        var length = header.ReadInt32(RawLog.DetachLengthOffset);
        if (length <= 0 || length > RawLog.HeaderSize - RawLog.DetachRecordOffset) return (0, []);
        var bytes = new byte[length];
        header.ReadArray(RawLog.DetachRecordOffset, bytes, 0, length);
        return (header.ReadInt64(RawLog.DetachThreadOffset), bytes);
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
