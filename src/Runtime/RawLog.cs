using System;
using System.Collections.Generic;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// The raw log: a file the program maps into memory, so that every byte a thread wrote is in
/// the page cache the moment it is written and survives <c>kill -9</c> or
/// <c>Environment.FailFast</c>. Layout (little-endian):
/// <list type="bullet">
/// <item>a header of <see cref="HeaderSize"/> bytes: magic, segment size, the count of segments
/// taken (one atomic increment per segment, never a lock), whether capture stopped at
/// max_trace_size, and room for one Detach record;</item>
/// <item>fixed segments of <see cref="SegmentSize"/> bytes, each owned by one thread at a time: a
/// <see cref="SegmentHeader"/>-byte header <c>[int64 thread id][int32 committed][int32 sealed]
/// [int64 sequence][int64 ordinal][int32 free]</c>, then the thread's records. The owner publishes
/// the committed length after each write and sets sealed when it moves on to its next segment, so
/// a reader in another process knows which bytes are complete and when a segment is final. The
/// sequence numbers every take of a segment (the order of all threads' segments), the ordinal
/// counts the thread's own takes (its segments' order).</item>
/// </list>
/// The segments of the first extent are a pool: once the reader has read a sealed one to its end
/// it clears the thread and sets free, and the next thread that needs a segment takes it again.
/// While the conversion keeps up, the program writes into pages already mapped and resident: no
/// page faults, no zeroing, no new disk blocks (these were about 60% of a counting loop's
/// recorded time). Segments past the pool are used once, as before.
/// The file grows by extents of <see cref="SegmentsPerExtent"/> segments whose blocks are
/// allocated before use (a full disk is then an error the runtime sees and detaches on, never
/// a SIGBUS in a mapped page), each mapped on its own; an extent whose segments are all sealed
/// is unmapped, so the program's resident memory does not grow with the recording.
/// The shell's reader (Shell/TraceFiles/RawLogReader.cs) compiles against these constants.
/// </summary>
internal static unsafe class RawLog
{
    internal const long Magic = 0x31474F4C57415243; // "CRAWLOG1"
    internal const int HeaderSize = 4096;
    internal const int SegmentSize = 64 * 1024;
    internal const int SegmentHeader = 64;
    internal const int SegmentsPerExtent = 256;

    /// <summary>The segments the reader gives back to be taken again: those of the first extent.</summary>
    internal const int PoolSegments = SegmentsPerExtent;

    // Offsets in the file header.
    internal const int SegmentSizeOffset = 8;
    internal const int TakenOffset = 16;
    internal const int DetachLengthOffset = 24;
    internal const int DetachThreadOffset = 32;
    internal const int StoppedOffset = 40;
    internal const int UsedOffset = 48;
    internal const int DetachRecordOffset = 64;

    // Offsets in a segment header.
    internal const int ThreadOffset = 0;
    internal const int CommittedOffset = 8;
    internal const int SealedOffset = 12;
    internal const int SequenceOffset = 16;
    internal const int OrdinalOffset = 24;
    internal const int FreeOffset = 32;

    private const long ExtentBytes = (long)SegmentsPerExtent * SegmentSize;

    private static readonly object Gate = new();
    private static readonly List<ThreadBuffer> Buffers = new();
    private static FileStream? _file;
    private static MemoryMappedViewAccessor? _headerView;
    private static byte* _header;

    /// <summary>One mapped range of segments and how many of them are sealed.</summary>
    private sealed class Extent(MemoryMappedViewAccessor view, IntPtr address)
    {
        internal readonly MemoryMappedViewAccessor View = view;
        internal readonly IntPtr Address = address;
        internal int Sealed;

        /// <summary>Unmapped (every segment sealed); set under the lock.</summary>
        internal bool Released;
    }

    /// <summary>Set (under the lock) once the recorder is gone and the log removed: no segment is given out again.</summary>
    private static volatile bool _abandoned;

    /// <summary>The mapped extents, replaced whole (under the lock) when the file grows; read without a lock.</summary>
    private static Extent[] _extents = Array.Empty<Extent>();

    internal static bool IsOpen => _file is not null && !_abandoned;

    /// <summary>Segments the log may take; the one past them stops capture.</summary>
    private static long _budget = long.MaxValue;
    private static int _stopped;

    internal static void Open(string path)
    {
        if (long.TryParse(Environment.GetEnvironmentVariable(RuntimeVariables.RawLogSegments), out var budget) && budget >= 0) _budget = budget;
        Environment.SetEnvironmentVariable(RuntimeVariables.RawLogSegments, null);
        _file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        Allocate(0, HeaderSize);
        _headerView = Map(0, HeaderSize, out _header);
        *(int*)(_header + SegmentSizeOffset) = SegmentSize;
        // The magic last: a reader that sees it sees a whole header.
        Volatile.Write(ref *(long*)_header, Magic);
    }

    internal static void Register(ThreadBuffer buffer)
    {
        lock (Gate) Buffers.Add(buffer);
    }

    /// <summary>
    /// Takes a segment for <paramref name="threadId"/>'s segment number <paramref name="ordinal"/>
    /// (a free one of the pool, else the next one of the file) and returns its address, or null
    /// when the log refuses (the recorder is then detached). Throws when the file system refuses
    /// to grow the file.
    /// </summary>
    internal static byte* TakeSegment(long threadId, long ordinal, out long index)
    {
        index = -1;
        // An injected failure refuses the segment, as a full disk would.
        if (_header is null || _abandoned || (FailPoints.Armed && FailPoints.Hit(FailPoints.Flush))) return null;
        // Checked before taking too, so that the count stays near the budget once it is spent.
        if (Volatile.Read(ref *(long*)(_header + UsedOffset)) >= _budget) return StopCapture();
        var sequence = Interlocked.Increment(ref *(long*)(_header + UsedOffset)) - 1;
        if (sequence >= _budget) return StopCapture();
        var extents = Volatile.Read(ref _extents);
        var segment = extents.Length > 0 ? TakeFree(extents[0], out index) : null;
        if (segment is null)
        {
            index = Interlocked.Increment(ref *(long*)(_header + TakenOffset)) - 1;
            var extent = index / SegmentsPerExtent;
            if (extent >= extents.Length && (extents = Grow(extent)) is null) return null;
            segment = (byte*)extents[extent].Address + index % SegmentsPerExtent * SegmentSize;
        }
        else
        {
            // A segment read before: it starts empty again.
            *(int*)(segment + CommittedOffset) = 0;
            *(int*)(segment + SealedOffset) = 0;
        }
        *(long*)(segment + SequenceOffset) = sequence;
        *(long*)(segment + OrdinalOffset) = ordinal;
        // The thread last: a reader that sees it sees the rest of the header.
        Volatile.Write(ref *(long*)(segment + ThreadOffset), threadId);
        return segment;
    }

    /// <summary>Where the next look for a free pool segment starts (threads spread over the pool).</summary>
    private static int _poolCursor;

    /// <summary>A pool segment the reader gave back, claimed for this thread (null when none is free).</summary>
    private static byte* TakeFree(Extent pool, out long index)
    {
        var taken = Math.Min(Volatile.Read(ref *(long*)(_header + TakenOffset)), PoolSegments);
        var start = (int)((uint)_poolCursor % (uint)Math.Max(taken, 1));
        for (var k = 0; k < taken; k++)
        {
            var i = (start + k) % (int)taken;
            var segment = (byte*)pool.Address + (long)i * SegmentSize;
            var free = (int*)(segment + FreeOffset);
            if (Volatile.Read(ref *free) == 1 && Interlocked.CompareExchange(ref *free, 0, 1) == 1)
            {
                _poolCursor = i + 1;
                index = i;
                return segment;
            }
        }
        index = -1;
        return null;
    }

    /// <summary>
    /// The log reached max_trace_size: the header says so (the shell marks the trace truncated),
    /// and capture stops for good; the program runs on unrecorded. Returns no segment.
    /// </summary>
    private static byte* StopCapture()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            Volatile.Write(ref *(int*)(_header + StoppedOffset), 1);
            Recorder.StopCapture();
        }
        return null;
    }

    /// <summary>
    /// The owner leaves its segment: the final committed length, then the seal. When every
    /// segment of an extent past the pool is sealed nobody touches its pages again, so it is unmapped.
    /// </summary>
    internal static void Seal(byte* segment, long index, int committed)
    {
        Volatile.Write(ref *(int*)(segment + CommittedOffset), committed);
        Volatile.Write(ref *(int*)(segment + SealedOffset), 1);
        // The pool stays mapped: its segments are taken again.
        if (index < PoolSegments) return;
        var extent = Volatile.Read(ref _extents)[index / SegmentsPerExtent];
        if (Interlocked.Increment(ref extent.Sealed) < SegmentsPerExtent) return;
        // Under the lock: an abandon must never remap a range already given back to the system.
        lock (Gate)
        {
            if (extent.Released) return;
            extent.Released = true;
            extent.View.SafeMemoryMappedViewHandle.ReleasePointer();
            extent.View.Dispose();
        }
    }

    /// <summary>Maps extents up to <paramref name="extent"/> (once per 16 MiB, under the lock); null once the log is abandoned.</summary>
    private static Extent[]? Grow(long extent)
    {
        lock (Gate)
        {
            if (_abandoned) return null;
            while (_extents.Length <= extent)
            {
                var n = _extents.Length;
                var offset = HeaderSize + n * ExtentBytes;
                Allocate(offset, ExtentBytes);
                var view = Map(offset, ExtentBytes, out var pointer);
                var extents = new Extent[n + 1];
                Array.Copy(_extents, extents, n);
                extents[n] = new Extent(view, (IntPtr)pointer);
                Volatile.Write(ref _extents, extents);
            }
            return _extents;
        }
    }

    /// <summary>
    /// Makes the file's blocks for this range exist now, so that writing the mapped pages cannot
    /// fail later. A full disk (or quota, or file size limit) is a <see cref="DiskFullException"/>.
    /// </summary>
    private static void Allocate(long offset, long length)
    {
        if (OperatingSystem.IsLinux())
        {
            var error = PosixFallocate(_file!.SafeFileHandle.DangerousGetHandle().ToInt32(), offset, length);
            // ENOSPC, EDQUOT, EFBIG: the file system will not give the log more room.
            if (error is 28 or 122 or 27)
                throw new DiskFullException(_file.Name, error switch { 28 => "no space left on device", 122 => "disk quota exceeded", _ => "file too large" });
            if (error != 0) throw new IOException($"cannot grow the raw log (posix_fallocate: error {error})");
        }
        else
        {
            try
            {
                _file!.SetLength(offset + length);
            }
            catch (IOException e) when (e.HResult is 28 or 69 or 27 or unchecked((int)0x80070070) or unchecked((int)0x80070027))
            {
                throw new DiskFullException(_file!.Name, e.Message);
            }
        }
    }

    [DllImport("libc", EntryPoint = "posix_fallocate")]
    private static extern int PosixFallocate(int fd, long offset, long length);

    /// <summary>
    /// The recorder is gone (<see cref="RecorderWatch"/>): nobody will read the log. Every mapped
    /// range is replaced in place by private anonymous memory, so a thread still writing into its
    /// segment writes there and never into a page given back; then the file is closed and deleted,
    /// and its disk space comes back while the program runs on unrecorded. (Windows cannot delete
    /// a mapped file: there the log only stops growing.)
    /// </summary>
    internal static void Abandon()
    {
        lock (Gate)
        {
            if (_file is null || _abandoned) return;
            _abandoned = true;
            if (OperatingSystem.IsWindows()) return;
            foreach (var extent in _extents)
                if (!extent.Released) ReplaceWithAnonymous(extent.View);
            ReplaceWithAnonymous(_headerView!);
            var path = _file.Name;
            _file.Dispose();
            _file = null;
            try { File.Delete(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    private const int ProtReadWrite = 3, MapPrivate = 0x02, MapFixed = 0x10;

    /// <summary>Maps anonymous memory over a view's whole range (its handle is the address the system mapped, ByteLength its size).</summary>
    private static void ReplaceWithAnonymous(MemoryMappedViewAccessor view)
    {
        var handle = view.SafeMemoryMappedViewHandle;
        var anonymous = OperatingSystem.IsLinux() ? 0x20 : 0x1000; // MAP_ANONYMOUS (Linux; macOS and the BSDs)
        // On failure the file's pages stay mapped: the log is still deleted, its space returns at exit.
        Mmap(handle.DangerousGetHandle(), (nuint)handle.ByteLength, ProtReadWrite, MapPrivate | MapFixed | anonymous, -1, 0);
    }

    [DllImport("libc", EntryPoint = "mmap")]
    private static extern IntPtr Mmap(IntPtr address, nuint length, int protection, int flags, int fd, nint offset);

    private static MemoryMappedViewAccessor Map(long offset, long length, out byte* address)
    {
        using var map = MemoryMappedFile.CreateFromFile(
            _file!, null, offset + length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        var view = map.CreateViewAccessor(offset, length, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        address = pointer + view.PointerOffset;
        return view;
    }

    /// <summary>
    /// Writes the Detach record into the header (once per process: the recorder fails once), where
    /// no segment is needed: the failure may be that no segment could be had. The shell's reader
    /// hands it to the converter after every thread's records.
    /// </summary>
    internal static void Detach(long threadId, string reason)
    {
        if (_header is null) return;
        var chars = Math.Min(reason.Length, (HeaderSize - DetachRecordOffset - 9) / 2);
        var record = _header + DetachRecordOffset;
        record[0] = Tags.Detach;
        Unsafe.WriteUnaligned(record + 1, chars);
        Unsafe.WriteUnaligned(record + 5, chars);
        MemoryMarshal.AsBytes(reason.AsSpan(0, chars)).CopyTo(new Span<byte>(record + 9, 2 * chars));
        *(long*)(_header + DetachThreadOffset) = threadId;
        Volatile.Write(ref *(int*)(_header + DetachLengthOffset), 9 + 2 * chars);
    }

    /// <summary>
    /// At exit: gives the other threads that are inside recorded calls a short
    /// time to return, so that, for instance, the continuation that completed an
    /// async Main records its returns before the process goes away. A thread that
    /// stays inside its calls (an endless background loop) only costs the wait.
    /// </summary>
    internal static void AwaitOtherThreads(ThreadBuffer self, TimeSpan limit)
    {
        ThreadBuffer[] others;
        lock (Gate) others = Buffers.Where(b => b != self).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var b in others)
            while (Volatile.Read(ref b.OpenFrames) > 0 && clock.Elapsed < limit)
                Thread.Sleep(1);
    }
}

/// <summary>
/// The file system refused to give the raw log more room. The message is the Detach reason the
/// shell reads as <c>ERR_DISK_FULL</c> naming the path (Core's DiskFull.detachReason: code, path
/// and detail separated by tabs; a Shell test checks both agree).
/// </summary>
internal sealed class DiskFullException(string path, string detail)
    : IOException("ERR_DISK_FULL\t" + path + "\t" + detail.Replace('\t', ' '));
