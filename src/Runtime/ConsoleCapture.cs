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

/// <summary>
/// Wraps Console.In: what each read returns is recorded on the reading thread
/// (an Event of kind Read on the step that read it) and handed to the program unchanged.
/// </summary>
internal sealed class InputCapture : TextReader
{
    internal const byte Stdin = 3;

    private readonly TextReader _inner;

    private InputCapture(TextReader inner) => _inner = inner;

    internal static void Install() => Console.SetIn(new InputCapture(Console.In));

    private static void Record(string? text)
    {
        if (!Probe.On || string.IsNullOrEmpty(text)) return;
        var b = ThreadBuffer.Current;
        b.TagU8(Tags.Write, Stdin);
        b.FullText(text);
    }

    public override int Peek() => _inner.Peek();

    public override int Read()
    {
        var c = _inner.Read();
        if (c >= 0) Record(((char)c).ToString());
        return c;
    }

    public override int Read(char[] buffer, int index, int count)
    {
        var n = _inner.Read(buffer, index, count);
        if (n > 0) Record(new string(buffer, index, n));
        return n;
    }

    public override string? ReadLine()
    {
        var line = _inner.ReadLine();
        // The newline the user typed is part of what was read.
        if (line is not null) Record(line + "\n");
        return line;
    }

    public override string ReadToEnd()
    {
        var text = _inner.ReadToEnd();
        Record(text);
        return text;
    }
}
