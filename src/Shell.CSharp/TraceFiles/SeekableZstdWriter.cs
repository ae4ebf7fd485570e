using ZstdSharp;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.bin's framing around a byte stream: the 8-byte header, then the bytes cut
/// into zstd frames of <see cref="FrameSize"/> uncompressed bytes each (the last one
/// shorter), then the seek table. Readers can thus decompress frame by frame.
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

    private readonly Stream _output;
    private readonly Compressor _compressor = new(Level);
    private readonly byte[] _frame = new byte[FrameSize];
    private readonly byte[] _compressed = new byte[Compressor.GetCompressBound(FrameSize)];
    private readonly List<SeekEntry> _entries = [];
    private int _filled;

    internal SeekableZstdWriter(Stream output)
    {
        _output = output;
        _output.Write(Header);
    }

    /// <summary>Appends bytes; every full frame is compressed and written.</summary>
    internal void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, FrameSize - _filled);
            data[..n].CopyTo(_frame.AsSpan(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == FrameSize) WriteFrame();
        }
    }

    /// <summary>Writes the last, partly filled frame and the seek table.</summary>
    internal void Finish()
    {
        WriteFrame();
        _output.Write(SeekTable.Encode(_entries));
        _output.Flush();
    }

    private void WriteFrame()
    {
        if (_filled == 0) return;
        var size = _compressor.Wrap(_frame.AsSpan(0, _filled), _compressed);
        _output.Write(_compressed, 0, size);
        _entries.Add(new SeekEntry((uint)size, (uint)_filled));
        _filled = 0;
    }

    public void Dispose() => _compressor.Dispose();
}
