using System;
using System.Threading;
using System.Linq;
using System.Collections.Generic;
using System.IO;

namespace CodeTracer.Runtime;

/// <summary>
/// The raw log file shared by all threads. Each thread fills its own buffer and
/// appends it here as one chunk: <c>[int64 thread id][int32 length][records]</c>.
/// The lock is taken once per flushed buffer, never per event.
/// </summary>
internal static class RawLog
{
    private static readonly object Gate = new();
    private static readonly List<ThreadBuffer> Buffers = new();
    private static FileStream? _file;

    internal static bool IsOpen => _file is not null;

    internal static void Open(string path)
    {
        // Unbuffered: a chunk reaches the OS as soon as it is flushed, so a crash
        // of the program loses at most the buffers not flushed yet.
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    internal static void Register(ThreadBuffer buffer)
    {
        lock (Gate) Buffers.Add(buffer);
    }

    /// <summary>A thread flushes its own buffer: write and empty it under the lock, so a close never sees it half handed over.</summary>
    internal static void Flush(ThreadBuffer buffer)
    {
        if (buffer.Position == 0) return;
        lock (Gate) buffer.Drain(WriteChunkLocked);
    }

    private static void WriteChunkLocked(long threadId, byte[] data, int length)
    {
        if (_file is null || length == 0) return;
        // An injected write failure loses this chunk, as a full disk would.
        if (FailPoints.Armed && FailPoints.Hit(FailPoints.Flush)) return;
        Span<byte> header = stackalloc byte[12];
        BitConverter.TryWriteBytes(header, threadId);
        BitConverter.TryWriteBytes(header.Slice(8), length);
        _file.Write(header);
        _file.Write(data, 0, length);
    }

    /// <summary>
    /// Flushes every thread's buffer and closes the file (at process exit, on a signal, at a
    /// crash), while other threads may still be writing to theirs: see <see cref="ThreadBuffer.Drain"/>.
    /// Once the file is closed, every later flush writes nothing: a record written after this
    /// final drain is lost, never mixed into the log.
    /// </summary>
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

    internal static void Close()
    {
        lock (Gate)
        {
            foreach (var b in Buffers) b.Drain(WriteChunkLocked);
            _file?.Flush();
            _file?.Dispose();
            _file = null;
        }
    }
}
