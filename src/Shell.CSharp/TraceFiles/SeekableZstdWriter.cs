using System.Runtime.ExceptionServices;
using ZstdSharp;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.bin's framing around a byte stream: the 8-byte header, then the bytes cut
/// into zstd frames of <see cref="FrameSize"/> uncompressed bytes each (the last one
/// shorter), then the seek table. Readers can thus decompress frame by frame.
/// Frames are compressed and written on a thread of their own, in order, while the caller
/// fills the next one; at most <see cref="FramesAhead"/> wait (bounded memory).
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

    /// <summary>Full frames waiting for the compressor, at most.</summary>
    private const int FramesAhead = 2;

    private readonly Stream _output;
    private readonly List<SeekEntry> _entries = [];
    private readonly Handoff<(byte[] Data, int Length)> _full = new(FramesAhead);
    /// <summary>Frames compressed, for the caller to fill again (at most FramesAhead + 2 buffers ever exist).</summary>
    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _free = new();
    private readonly Thread _compressor;
    private Exception? _failure;
    private byte[] _frame = new byte[FrameSize];
    private int _filled;
    private bool _finished;

    internal SeekableZstdWriter(Stream output)
    {
        _output = output;
        _output.Write(Header);
        _compressor = new Thread(Compress) { IsBackground = true, Name = "trace.bin compression" };
        _compressor.Start();
    }

    /// <summary>Appends bytes; every full frame goes to the compressor.</summary>
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

    private void HandOver()
    {
        if (!_full.Add((_frame, _filled))) Stop();
        _frame = _free.TryDequeue(out var recycled) ? recycled : new byte[FrameSize];
        _filled = 0;
    }

    /// <summary>Waits for the frames handed over; rethrows the compressor's failure.</summary>
    private void Stop()
    {
        if (!_finished)
        {
            _finished = true;
            _full.Close();
            _compressor.Join();
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
                _output.Write(compressed, 0, size);
                _entries.Add(new SeekEntry((uint)size, (uint)frame.Length));
                _free.Enqueue(frame.Data);
            }
        }
        catch (Exception e)
        {
            _failure = e;
            _full.Close();
        }
    }

    public void Dispose()
    {
        if (_finished) return;
        _finished = true;
        _full.Close();
        _compressor.Join();
    }
}
