using System;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// The entry points instrumented code calls; one per row of the probe table
/// (CodeTracer.Core's Probes/ProbeTable.fs). A method entry is <c>Enter</c>, which
/// returns the call's <see cref="Frame"/>, followed by one value call per argument; a
/// step is, for each visible variable whose value may have changed since the frame last
/// wrote it, <c>At</c> and a value call (or <c>ValObjectAt</c>, which decides itself),
/// then <c>Step</c>; a return is <c>Return</c> followed by the return value unless the
/// method is void.
/// </summary>
public static class Probe
{
    /// <summary>Cleared when the recorder is detached: every probe becomes a no-op.</summary>
    internal static bool On;

    /// <summary>Whether a probe records: the recorder is on and no test failure fires here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Live(int point) => On && !(FailPoints.Armed && FailPoints.Hit(point));

    /// <summary>A method starts: its frame, or null when the call is not recorded (then none of its probes write).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Frame? Enter(int methodId)
    {
        if (!Live(FailPoints.Enter)) return null;
        var b = ThreadBuffer.Current;
        b.TagI32(Tags.Enter, methodId);
        b.OpenFrames++;
        return b.Push();
    }

    /// <summary>Ends a step: the values it wrote came before.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step(Frame? frame, int siteId)
    {
        if (frame is not null && Live(FailPoints.Step)) frame.Buffer.TagI32(Tags.Step, siteId);
    }

    /// <summary>The value call that follows is the variable at this position of the step's site.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void At(int position)
    {
        if (On) ThreadBuffer.Current.TagU16(Tags.At, (ushort)position);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Return(Frame? frame)
    {
        if (frame is null || !Live(FailPoints.Return)) return;
        var b = frame.Buffer;
        b.Tag(Tags.Return);
        b.OpenFrames--;
        b.Pop(frame);
    }

    /// <summary>
    /// An exception leaves an instrumented method (a fault handler around its whole body):
    /// the thread's throw serial and the exception's <c>Type: message</c>.
    /// </summary>
    public static void Unwind(Frame? frame)
    {
        if (frame is null || !On) return;
        var serial = Throws.Serial;
        // Read first: an overridden Message is user code whose own calls are recorded.
        var text = Throws.Description();
        var b = ThreadBuffer.Current;
        b.TagI32(Tags.Unwind, serial);
        b.FullText(text);
        b.OpenFrames--;
        b.Pop(frame);
    }

    /// <summary>Entry of an <c>--activation</c> method: the first one starts the recording.</summary>
    public static void Activate() => Activation.Enter();

    /// <summary>Return of an <c>--activation</c> method: when the first one returns, recording stops for good.</summary>
    public static void Deactivate() => Activation.Exit();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValInt(long value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagI64(Tags.Int, value); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValUInt(ulong value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagI64(Tags.UInt, unchecked((long)value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValDouble(double value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagI64(Tags.Double, System.BitConverter.DoubleToInt64Bits(value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValSingle(float value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagI32(Tags.Single, System.BitConverter.SingleToInt32Bits(value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValBool(bool value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagU8(Tags.Bool, value ? (byte)1 : (byte)0); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValChar(char value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.TagU16(Tags.Char, value); }

    public static void ValString(string? value)
    {
        if (!Live(FailPoints.Value)) return;
        var b = ThreadBuffer.Current;
        if (value is null) { b.Tag(Tags.Null); return; }
        b.Tag(Tags.String);
        b.Text(value);
    }

    // The same values at a step: `At` and the value in one call, into the frame's buffer
    // (no thread-static lookup). Called only with a frame: a step of an unrecorded call
    // skips its values.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValIntAt(long value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.Int, value); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValUIntAt(ulong value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.UInt, unchecked((long)value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValDoubleAt(double value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.Double, System.BitConverter.DoubleToInt64Bits(value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValSingleAt(float value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.Single, System.BitConverter.SingleToInt32Bits(value)); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValBoolAt(bool value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.Bool, value ? (byte)1 : (byte)0); }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ValCharAt(char value, int position, Frame frame) { if (Live(FailPoints.Value)) frame.Buffer.AtValue((ushort)position, Tags.Char, value); }

    public static void ValStringAt(string? value, int position, Frame frame)
    {
        if (!Live(FailPoints.Value)) return;
        var b = frame.Buffer;
        b.TagU16(Tags.At, (ushort)position);
        if (value is null) { b.Tag(Tags.Null); return; }
        b.Tag(Tags.String);
        b.Text(value);
    }

    public static void ValDecimal(decimal value) { if (Live(FailPoints.Value)) ThreadBuffer.Current.Decimal(value); }

    public static void ValObject(object? value) => ValObjectIn(value, 0);

    /// <summary>In place of a value the filter redacts that is known only at run time (an async method's result, an iterator's item).</summary>
    public static void ValRedacted() { if (Live(FailPoints.Value)) ThreadBuffer.Current.Tag(Tags.Redacted); }

    /// <summary>In place of a value the filter drops that is known only at run time.</summary>
    public static void ValDropped() { if (Live(FailPoints.Value)) ThreadBuffer.Current.Tag(Tags.Dropped); }

    /// <summary>A boxed value of a method whose filter speaks of fields: <paramref name="fieldPolicy"/> says which are read.</summary>
    public static void ValObjectIn(object? value, int fieldPolicy)
    {
        if (Live(FailPoints.Value)) WriteObject(ThreadBuffer.Current, value, fieldPolicy);
    }

    /// <summary>
    /// A boxed value at a step: the variable at <paramref name="position"/> of the site, which
    /// the frame keeps at <paramref name="place"/>. Written (after its <c>At</c>) only when its
    /// bytes differ from those the frame last wrote there; the same bytes mean the same value
    /// in the trace, so nothing shown can be stale.
    /// </summary>
    public static void ValObjectAt(object? value, int position, int place, int fieldPolicy, Frame? frame)
    {
        if (frame is null || !Live(FailPoints.Value)) return;
        if (value is not null && frame.HoldsSequence(place, value)) return;
        var b = frame.Buffer;
        // Unpublished until compared, so that an unchanged value (and its At) can be taken back.
        b.Hold();
        var start = b.Position;
        var spills = b.Spills;
        b.TagU16(Tags.At, (ushort)position);
        var valueStart = b.Position;
        WriteObject(b, value, fieldPolicy);
        if (b.Spills != spills || b.Position < valueStart)
        {
            // Moved to the next segment meanwhile: the bytes can not be compared.
            frame.Forget(place);
        }
        else
        {
            if (frame.Holds(place, b.Since(valueStart)))
                b.Rewind(start);
            else
                frame.Remember(place, b.Since(valueStart));
            frame.RememberSequence(place, value);
        }
        b.Release();
    }

    private static void WriteObject(ThreadBuffer b, object? value, int fieldPolicy)
    {
        var start = b.Position;
        b.BeginRead();
        b.FieldPolicy = fieldPolicy;
        try
        {
            ObjectWriter.Write(b, value, 0);
        }
        catch (Exception e)
        {
            // Never let the recorder's failure reach the program: take back the
            // half-written value, keep the record stream whole, and detach.
            b.Rewind(start);
            b.Tag(Tags.Null);
            Recorder.Fail("value capture: " + e.GetType().FullName + ": " + e.Message);
        }
        finally
        {
            b.FieldPolicy = 0;
            b.EndRead();
        }
    }
}

/// <summary>
/// The exception each thread threw last, seen through <c>AppDomain.FirstChanceException</c>:
/// a fault handler has no access to the exception that runs it. Every throw (a rethrow and
/// a second throw of the same object included) gets the next per-thread serial, so the
/// frames one throw unwinds share their serial and a later throw is told apart.
/// </summary>
internal static class Throws
{
    [ThreadStatic] private static Exception? _current;
    [ThreadStatic] private static int _serial;
    [ThreadStatic] private static string? _text;
    [ThreadStatic] private static int _textSerial;

    internal static void Install() => AppDomain.CurrentDomain.FirstChanceException += (_, e) => Thrown(e.Exception);

    internal static void Thrown(Exception exception)
    {
        _current = exception;
        _serial = unchecked(_serial + 1);
    }

    internal static int Serial => _serial;

    /// <summary><c>Type: message</c> of the current throw, read once per throw.</summary>
    internal static string Description()
    {
        var serial = _serial;
        var current = _current;
        if (_text is not null && _textSerial == serial) return _text;
        string text;
        if (current is null)
        {
            text = "System.Exception: <unknown exception>";
        }
        else
        {
            string message;
            try
            {
                message = current.Message;
            }
            catch (Exception)
            {
                message = "<message unavailable>";
            }
            text = (current.GetType().FullName ?? current.GetType().Name) + ": " + message;
        }
        // A Message getter that threw was a throw of its own: this is still the same unwinding.
        _current = current;
        _serial = serial;
        _text = text;
        _textSerial = serial;
        return text;
    }
}
