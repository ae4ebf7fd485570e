using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.bin: the core's CBOR encoder writes events into one in-memory buffer
/// (no allocation per event; composite values that did not change are copied from their
/// earlier bytes), moved into the zstd framing every 256 KiB.
/// </summary>
internal sealed class BinaryTraceSink : ITraceEventSink
{
    private const int MoveThreshold = 256 << 10;

    private readonly FileStream _file;
    private readonly SeekableZstdWriter _zstd;
    private readonly CborBuffer _cbor = new(MoveThreshold * 2);
    private readonly EncodedValues<byte[]> _encoded = Cbor.createCache();

    internal BinaryTraceSink(string path)
    {
        _file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        _zstd = new SeekableZstdWriter(_file);
    }

    public void Write(TraceEvent e)
    {
        Cbor.writeEvent(_cbor, _encoded, e);
        if (_cbor.Length >= MoveThreshold) Move();
    }

    public void Finish()
    {
        Move();
        _zstd.Finish();
    }

    private void Move()
    {
        _zstd.Write(_cbor.Written);
        _cbor.Reset();
    }

    public void Dispose()
    {
        _zstd.Dispose();
        _file.Dispose();
    }
}
