using System.Runtime.ExceptionServices;
using ZstdSharp;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.bin's framing around a byte stream: the 8-byte header, then the bytes cut
/// into zstd frames of <see cref="FrameSize"/> uncompressed bytes each (the last one
/// shorter), then the seek table. Readers can thus decompress frame by frame.
/// Each frame is compressed alone, so frames are compressed in parallel, off the caller's
/// thread (compression is the costliest stage of writing trace.bin), and written in order.
/// Memory is bounded: a fixed set of frame buffers circulates between the caller and the
/// compressors.
/// </summary>
internal sealed class SeekableZstdWriter : IDisposable
{
    /// <summary>The header the loader checks: magic and version byte <c>01</c>.</summary>
    internal static ReadOnlySpan<byte> Header => [0xC0, 0xDE, 0x72, 0xAC, 0xE2, 0x01, 0x00, 0x00];

    /// <summary>Uncompressed bytes per frame: 2 MiB, as upstream's own writer cuts them.</summary>
    internal const int FrameSize = 2 << 20;

    /// <summary>
    /// zstd level 3 (zstd's default): on recorded traces it compresses about as well as
    /// level 6 at several times the speed, and conversion time is what users wait for.
    /// </summary>
    private const int Level = 3;

    /// <summary>One compressor per core, at most 4 (each holds about 8 MiB).</summary>
    private static readonly int Compressors = Math.Clamp(Environment.ProcessorCount, 1, 4);

    private readonly Stream _output;
    private readonly List<SeekEntry> _entries = [];
    /// <summary>Full frames in order (sequence number, buffer, bytes), for the compressors.</summary>
    private readonly Handoff<(long Sequence, byte[] Data, int Length)> _full = new(Compressors);
    /// <summary>Buffers compressed, to be filled again; never more than <see cref="MaxBuffers"/> exist.</summary>
    private readonly Handoff<byte[]> _free = new(MaxBuffers);
    private static int MaxBuffers => 2 * Compressors + 1;
    private readonly Thread[] _compressors;
    /// <summary>The sequence number of the frame to write next (guarded by <see cref="_entries"/>).</summary>
    private long _nextToWrite;
    private long _handedOver;
    private int _allocated;
    private Exception? _failure;
    private byte[] _frame;
    private int _filled;
    private bool _stopped;

    internal SeekableZstdWriter(Stream output)
    {
        _output = output;
        _output.Write(Header);
        _frame = NewBuffer();
        _compressors = new Thread[Compressors];
        for (var i = 0; i < _compressors.Length; i++)
        {
            _compressors[i] = new Thread(Compress) { IsBackground = true, Name = "trace.bin compression" };
            _compressors[i].Start();
        }
    }

    /// <summary>Appends bytes; every full frame goes to the compressors.</summary>
    internal void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, FrameSize - _filled);
            data[..n].CopyTo(_frame.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == FrameSize) HandOver();
        }
    }

    /// <summary>Writes the last, partly filled frame and the seek table.</summary>
    internal void Finish()
    {
        if (_filled > 0) HandOver();
        Stop();
        _output.Write(SeekTable.Encode(_entries));
        _output.Flush();
    }

    private byte[] NewBuffer()
    {
        _allocated++;
        return new byte[FrameSize];
    }

    private void HandOver()
    {
        if (!_full.Add((_handedOver++, _frame, _filled))) Stop();
        _filled = 0;
        if (_allocated < MaxBuffers) _frame = NewBuffer();
        else if (!_free.Take(out _frame)) Stop();
    }

    /// <summary>Waits for the frames handed over; rethrows a compressor's failure.</summary>
    private void Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            _full.Close();
            foreach (var c in _compressors) c.Join();
        }
        if (_failure is not null) ExceptionDispatchInfo.Capture(_failure).Throw();
    }

    private void Compress()
    {
        try
        {
            using var compressor = new Compressor(Level);
            var compressed = new byte[Compressor.GetCompressBound(FrameSize)];
            while (_full.Take(out var frame))
            {
                var size = compressor.Wrap(frame.Data.AsSpan(0, frame.Length), compressed);
                _free.Add(frame.Data);
                lock (_entries)
                {
                    // Frames are written in the order they were handed over.
                    while (_nextToWrite != frame.Sequence && _failure is null) Monitor.Wait(_entries);
                    if (_failure is not null) return;
                    _output.Write(compressed, 0, size);
                    _entries.Add(new SeekEntry((uint)size, (uint)frame.Length));
                    _nextToWrite++;
                    Monitor.PulseAll(_entries);
                }
            }
        }
        catch (Exception e)
        {
            lock (_entries)
            {
                _failure ??= e;
                Monitor.PulseAll(_entries);
            }
            _full.Close();
            _free.Close();
        }
    }

    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        _full.Close();
        _free.Close();
        foreach (var c in _compressors) c.Join();
    }
}
