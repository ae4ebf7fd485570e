using System;
using System.IO;
using System.Text;

namespace CodeTracer.Runtime;

/// <summary>
/// Wraps Console.Out and Console.Error: every write is recorded on the writing
/// thread (so it lands on the step that caused it) and then passed on unchanged.
/// </summary>
internal sealed class ConsoleCapture : TextWriter
{
    internal const byte Stdout = 0;
    internal const byte Stderr = 2;

    private readonly TextWriter _inner;
    private readonly byte _stream;

    private ConsoleCapture(TextWriter inner, byte stream)
    {
        _inner = inner;
        _stream = stream;
    }

    internal static void Install()
    {
        Console.SetOut(new ConsoleCapture(Console.Out, Stdout));
        Console.SetError(new ConsoleCapture(Console.Error, Stderr));
    }

    public override Encoding Encoding => _inner.Encoding;

    private void Record(string text)
    {
        if (!Probe.On || text.Length == 0) return;
        var b = ThreadBuffer.Current;
        b.TagU8(Tags.Write, _stream);
        b.FullText(text);
    }

    public override void Write(char value) { Record(value.ToString()); _inner.Write(value); }
    public override void Write(string? value) { if (value is not null) Record(value); _inner.Write(value); }
    public override void Write(char[] buffer, int index, int count) { Record(new string(buffer, index, count)); _inner.Write(buffer, index, count); }
    public override void Write(ReadOnlySpan<char> buffer) { Record(new string(buffer)); _inner.Write(buffer); }
    public override void WriteLine() { Record(_inner.NewLine); _inner.WriteLine(); }
    public override void WriteLine(string? value) { Record((value ?? "") + _inner.NewLine); _inner.WriteLine(value); }
    public override void WriteLine(ReadOnlySpan<char> buffer) { Record(new string(buffer) + _inner.NewLine); _inner.WriteLine(buffer); }
    public override void Flush() => _inner.Flush();
}
