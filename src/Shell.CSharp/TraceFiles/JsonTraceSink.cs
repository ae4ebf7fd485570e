using System.Text;
using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Writes trace.json: the core encodes each event into one text buffer (composite values
/// that did not change copied from their earlier text), flushed to the file every megabyte.
/// </summary>
internal sealed class JsonTraceSink(string path) : ITraceEventSink
{
    private const int FlushThreshold = 1 << 20;

    private readonly StreamWriter _output = new(path, append: false, new UTF8Encoding(false), 1 << 20);
    private readonly StringBuilder _text = new(FlushThreshold + 4096);
    private readonly EncodedValues<string> _encoded = Json.createCache();
    private bool _first = true;

    public void Write(TraceEvent e)
    {
        _text.Append(_first ? Json.arrayStart : Json.separator);
        _first = false;
        Json.appendEventCached(_encoded, _text, e);
        if (_text.Length >= FlushThreshold) Flush();
    }

    public void Finish()
    {
        if (_first) _text.Append(Json.arrayStart);
        _text.Append(Json.arrayEnd);
        Flush();
        _output.Flush();
    }

    private void Flush()
    {
        _output.Write(_text);
        _text.Clear();
    }

    public void Dispose() => _output.Dispose();
}
