using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.bin: the core's CBOR writer encodes events into one growing in-memory
/// buffer (no allocation per event), moved into the zstd framing every 256 KiB.
/// </summary>
internal sealed class BinaryTraceSink : ITraceEventSink
{
    private const int MoveThreshold = 256 << 10;

    private readonly FileStream _file;
    private readonly SeekableZstdWriter _zstd;
    private readonly System.Formats.Cbor.CborWriter _cbor = Cbor.createWriter();
    private byte[] _chunk = new byte[MoveThreshold * 2];

    internal BinaryTraceSink(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        _zstd = new SeekableZstdWriter(_file);
    }

    public void Write(TraceEvent e)
    {
        Cbor.writeEvent(_cbor, e);
        if (_cbor.BytesWritten >= MoveThreshold) Move();
    }

    public void Finish()
    {
        Move();
        _zstd.Finish();
    }

    private void Move()
    {
        var n = _cbor.BytesWritten;
        if (n == 0) return;
        if (n > _chunk.Length) _chunk = new byte[n];
        _cbor.Encode(_chunk);
        _cbor.Reset();
        _zstd.Write(_chunk.AsSpan(0, n));
    }

    public void Dispose()
    {
        _zstd.Dispose();
        _file.Dispose();
    }
}
