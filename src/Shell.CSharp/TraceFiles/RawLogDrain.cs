using System.Collections.Concurrent;
using System.IO.MemoryMappedFiles;
using RawLog = CodeTracer.Runtime.RawLog;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Copies the runtime's raw log, while the program writes it, into the recorder's memory, and
/// gives the pool's segments back to the runtime as soon as they are copied: the program then
/// writes into pages already resident (no page faults, no zeroing, no new disk blocks: about
/// 60% of a counting loop's recorded time), while the conversion, slower than the program,
/// decodes the copies at its own pace. At most <see cref="MemoryLimit"/> bytes wait in memory;
/// past that the drain waits, the runtime finds no free segment and grows the log on disk as
/// before, and the drain copies from there later. Segments are visited in the order threads
/// took them (their sequence), a thread's only in the order of its ordinals; a sealed segment
/// is copied to its end, an unsealed one only once <see cref="UnsealedPart"/> committed bytes
/// wait in it (so a thread that writes a little and idles neither stalls the others nor makes
/// a thread switch per poll), and everything committed once the program has ended (the file is
/// then final). Each copied part is a <see cref="Part"/> in <see cref="Parts"/>, in this order;
/// the runtime's pool segments come back (thread cleared, then free set) once copied.
/// </summary>
internal sealed class RawLogDrain(string path, Task programEnded)
{
    /// <summary>The most copied bytes that wait for the conversion.</summary>
    internal const long MemoryLimit = 32L * 1024 * 1024;

    /// <summary>An unsealed segment's committed bytes are taken once this many wait (or the program ended).</summary>
    internal const int UnsealedPart = 32 * 1024;

    /// <summary>How long to wait before looking again when nothing new was copied.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>A thread's next <paramref name="Length"/> bytes, at the start of <paramref name="Bytes"/> (rented: <see cref="Done"/> returns it).</summary>
    internal readonly record struct Part(long Thread, byte[] Bytes, int Length);

    private long _queued;

    /// <summary>Bytes copied that the conversion has not decoded yet.</summary>
    internal long Queued => Volatile.Read(ref _queued);

    /// <summary>The conversion is done with a part: its memory may hold another.</summary>
    internal void Done(Part part)
    {
        System.Buffers.ArrayPool<byte>.Shared.Return(part.Bytes);
        Interlocked.Add(ref _queued, -part.Length);
    }

    /// <summary>The parts copied, in order; complete once the log is drained (or the drain failed or was stopped).</summary>
    internal readonly BlockingCollection<Part> Parts = new();

    /// <summary>Set when the runtime stopped capturing at max_trace_size (known once the program ended).</summary>
    internal bool CaptureStopped { get; private set; }

    /// <summary>The Detach record the runtime left in the header and its thread (empty: none), once drained.</summary>
    internal (long Thread, byte[] Record) Detach { get; private set; } = (0, []);

    /// <summary>Bytes committed in the log and not copied yet (for a progress line).</summary>
    internal long Waiting { get; private set; }

    /// <summary>Why the drain stopped early (it then completes <see cref="Parts"/>).</summary>
    internal Exception? Failure { get; private set; }

    private sealed class Segment(long index, MemoryMappedViewAccessor header) : IDisposable
    {
        internal readonly long Index = index;
        internal readonly MemoryMappedViewAccessor Header = header;
        /// <summary>The owner of this use of the segment, 0 until the runtime has written it.</summary>
        internal long Thread;
        internal long Sequence;
        internal long Ordinal;
        internal int Consumed;

        /// <summary>Reads the owner once the runtime has written it (it writes the thread last).</summary>
        internal void LookForOwner()
        {
            if (Thread != 0) return;
            var thread = Header.ReadInt64(RawLog.ThreadOffset);
            Interlocked.MemoryBarrier();
            if (thread == 0) return;
            Sequence = Header.ReadInt64(RawLog.SequenceOffset);
            Ordinal = Header.ReadInt64(RawLog.OrdinalOffset);
            Thread = thread;
        }

        /// <summary>Copied to its end: the runtime may take it again (the thread cleared before free is set).</summary>
        internal void GiveBack()
        {
            Thread = 0;
            Consumed = 0;
            Header.Write(RawLog.ThreadOffset, 0L);
            Interlocked.MemoryBarrier();
            Header.Write(RawLog.FreeOffset, 1);
        }

        public void Dispose() => Header.Dispose();
    }

    private static readonly Comparison<Segment> ByTake = (a, b) =>
        (a.Thread == 0 ? long.MaxValue : a.Sequence, a.Index).CompareTo((b.Thread == 0 ? long.MaxValue : b.Sequence, b.Index));

    /// <summary>Copies until the log is drained after the program ended, or <paramref name="stop"/>; never throws.</summary>
    internal void Run(CancellationToken stop)
    {
        try
        {
            Drain(stop);
        }
        catch (Exception e)
        {
            Failure = e;
        }
        finally
        {
            Parts.CompleteAdding();
        }
    }

    private void Drain(CancellationToken stop)
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
                if (ended || stop.IsCancellationRequested) return;
                programEnded.Wait(Poll);
            }
            // Each thread's next segment to copy, by ordinal.
            var expected = new Dictionary<long, long>();
            long next = 0;
            while (!stop.IsCancellationRequested)
            {
                // Read before the headers: once the program has ended, what they say is final.
                var ended = programEnded.IsCompleted;
                OpenNew(file, header!.ReadInt64(RawLog.TakenOffset), ref next, open);
                Interlocked.MemoryBarrier();
                foreach (var s in open) s.LookForOwner();
                // In the order of the takes; segments not started yet last.
                open.Sort(ByTake);
                var progressed = false;
                long waiting = 0;
                foreach (var s in open)
                {
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
                    // A later segment of a thread waits until its earlier ones are copied to their end.
                    var itsTurn = s.Ordinal == expected.GetValueOrDefault(s.Thread);
                    if (available > 0 && itsTurn && (isSealed || ended || available >= UnsealedPart) && Room(available, stop))
                    {
                        progressed = true;
                        var data = System.Buffers.ArrayPool<byte>.Shared.Rent(available);
                        var got = RandomAccess.Read(file.SafeFileHandle, data.AsSpan(0, available),
                            RawLogLayout.SegmentStart(s.Index) + RawLog.SegmentHeader + s.Consumed);
                        if (got < available) throw new RecorderException(Errors.TraceIncomplete($"{path}: segment {s.Index} ends before its committed length"));
                        s.Consumed += available;
                        Interlocked.Add(ref _queued, available);
                        Parts.Add(new Part(s.Thread, data, available));
                    }
                    else
                    {
                        waiting += available;
                    }
                    if (itsTurn && s.Consumed == committed && (isSealed || ended)) expected[s.Thread] = s.Ordinal + 1;
                }
                Waiting = waiting;
                if (ended)
                {
                    Detach = DetachRecord(header);
                    CaptureStopped = header.ReadInt32(RawLog.StoppedOffset) != 0;
                    return;
                }
                open.RemoveAll(s =>
                {
                    var done = s.Thread != 0 && expected.GetValueOrDefault(s.Thread) > s.Ordinal;
                    if (!done) return false;
                    if (s.Index < RawLog.PoolSegments)
                    {
                        s.GiveBack();
                        return false;
                    }
                    s.Dispose();
                    return true;
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

    /// <summary>Waits until <paramref name="bytes"/> more fit in memory; false when stopped.</summary>
    private bool Room(int bytes, CancellationToken stop)
    {
        while (Volatile.Read(ref _queued) + bytes > MemoryLimit)
        {
            if (stop.IsCancellationRequested) return false;
            Thread.Sleep(1);
        }
        return true;
    }

    /// <summary>The log and its mapped header, once the runtime has created it (null until then).</summary>
    private (FileStream?, MemoryMappedViewAccessor?) TryOpen()
    {
        if (!File.Exists(path)) return (null, null);
        // Writable: the drain gives pool segments back.
        var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
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
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        for (; next < taken && RawLogLayout.SegmentStart(next + 1) <= length; next++)
            open.Add(new Segment(next, map.CreateViewAccessor(RawLogLayout.SegmentStart(next), RawLog.SegmentHeader, MemoryMappedFileAccess.ReadWrite)));
    }

    private static MemoryMappedViewAccessor MapHeader(FileStream file, long offset, int length)
    {
        using var map = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
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
}
