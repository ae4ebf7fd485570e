using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// One thread's event buffer. Primitive writes check the capacity, store a few
/// bytes and return: no allocation, no lock, no lookup.
/// </summary>
internal sealed class ThreadBuffer
{
    private const int Capacity = 64 * 1024;

    [ThreadStatic] private static ThreadBuffer? _current;

    /// <summary>
    /// Calls this thread entered and has not left yet (written by the owner thread
    /// on Enter/Return/Unwind only, read at exit to let in-flight returns land).
    /// </summary>
    internal int OpenFrames;

    private byte[] _data = new byte[Capacity];
    private int _pos;
    private readonly long _threadId = Environment.CurrentManagedThreadId;

    /// <summary>What this thread's value records told the reader about types (<see cref="ObjectWriter"/>).</summary>
    internal readonly ThreadTypes Types = new();

    /// <summary>The field policy of the value being written (<see cref="FieldPolicies"/>; 0: every field).</summary>
    internal int FieldPolicy;

    /// <summary>The frames of this thread's recorded calls, reused by depth; the open ones are below <see cref="_depth"/>.</summary>
    private Frame[] _frames = [];
    private int _depth;
    private long _calls;

    /// <summary>Incremented each time the buffer is emptied into the log while records are being written.</summary>
    internal int Spills;

    /// <summary>A recorded call starts on this thread: its frame, on top of the open ones.</summary>
    internal Frame Push()
    {
        if (_depth == _frames.Length) Array.Resize(ref _frames, Math.Max(16, 2 * _frames.Length));
        var frame = _frames[_depth] ??= new Frame(this, _depth);
        frame.Call = ++_calls;
        _depth++;
        return frame;
    }

    /// <summary>A recorded call ends (returns or unwinds): its frame and any above it are closed.</summary>
    internal void Pop(Frame frame) => _depth = frame.Depth;

    /// <summary>The bytes written since <paramref name="start"/> (a position of this buffer's current contents).</summary>
    internal ReadOnlySpan<byte> Since(int start) => _data.AsSpan(start, _pos - start);

    internal static ThreadBuffer Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _current ?? Create();
    }

    /// <summary>
    /// Where this thread's probes write while it reads a value (see <see cref="BeginRead"/>);
    /// its bytes are thrown away. Null until the first read that needs it.
    /// </summary>
    private ThreadBuffer? _scratch;

    /// <summary>A scratch buffer: never registered with the log, emptied instead of flushed.</summary>
    private bool _discards;

    /// <summary>
    /// Reading a value can run code of the program on this thread (a field read runs the
    /// type's static constructor). Until <see cref="EndRead"/>, probes reached that way write
    /// into a scratch buffer that is thrown away, so no record lands inside the value's.
    /// </summary>
    internal void BeginRead()
    {
        if (_discards) return;
        _current = _scratch ??= new ThreadBuffer { _discards = true };
    }

    /// <summary>Probes write here again; what code run by the read wrote is dropped.</summary>
    internal void EndRead()
    {
        if (_discards) return;
        _scratch!._pos = 0;
        _current = this;
    }

    private static ThreadBuffer Create()
    {
        var b = new ThreadBuffer();
        RawLog.Register(b);
        _current = b;
        return b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int bytes)
    {
        if (_pos + bytes > _data.Length) Spill(bytes);
    }

    private void Spill(int bytes)
    {
        Spills++;
        if (_discards)
        {
            _pos = 0;
        }
        else
        {
            try
            {
                Flush();
            }
            catch (Exception e)
            {
                // The log cannot take more: drop this buffer's bytes and detach.
                _pos = 0;
                Recorder.Fail("runtime flush: " + e.GetType().FullName + ": " + e.Message);
            }
        }
        // A single value larger than the buffer (a long string, a wide sequence) grows it.
        if (bytes > _data.Length) Array.Resize(ref _data, Math.Max(bytes, _data.Length * 2));
    }

    /// <summary>Where the next byte goes; a failed value rewinds to its start.</summary>
    internal int Position => _pos;

    /// <summary>Takes back what was written since <paramref name="position"/>, when it is still in the buffer.</summary>
    internal void Rewind(int position)
    {
        if (position <= _pos) _pos = position;
    }

    /// <summary>The owner thread appends its buffer to the log (the log's lock is taken once, here).</summary>
    internal void Flush() => RawLog.Flush(this);

    /// <summary>
    /// Hands the buffered bytes to a writer that holds the log's lock, and empties the buffer.
    /// Called by the owner (<see cref="Flush"/>) or, once, by the thread that closes the log
    /// while the owner may still be writing: then the position is read before the array (the
    /// owner stores the array before the bytes and the bytes before the position), so what is
    /// handed over is bytes the owner finished writing. A record the owner is in the middle of
    /// is cut there; the reader keeps such a tail for the thread's next chunk, which never
    /// comes, and reports the log truncated. Resetting the position happens under the same
    /// lock, so a flush that races with the close never writes its bytes twice.
    /// </summary>
    internal void Drain(Action<long, byte[], int> write)
    {
        var length = Volatile.Read(ref _pos);
        var data = Volatile.Read(ref _data);
        write(_threadId, data, Math.Min(length, data.Length));
        _pos = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Tag(byte tag)
    {
        Ensure(1);
        _data[_pos++] = tag;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagI32(byte tag, int value)
    {
        Ensure(5);
        _data[_pos] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], value);
        _pos += 5;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagI64(byte tag, long value)
    {
        Ensure(9);
        _data[_pos] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], value);
        _pos += 9;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagU8(byte tag, byte value)
    {
        Ensure(2);
        _data[_pos] = tag;
        _data[_pos + 1] = value;
        _pos += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagU16(byte tag, ushort value)
    {
        Ensure(3);
        _data[_pos] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], value);
        _pos += 3;
    }

    // `At` and a primitive value record in one write (a step's changed variable).

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AtI64(ushort position, byte tag, long value)
    {
        Ensure(12);
        _data[_pos] = Tags.At;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], position);
        _data[_pos + 3] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 4], value);
        _pos += 12;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AtI32(ushort position, byte tag, int value)
    {
        Ensure(8);
        _data[_pos] = Tags.At;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], position);
        _data[_pos + 3] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 4], value);
        _pos += 8;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AtU16(ushort position, byte tag, ushort value)
    {
        Ensure(6);
        _data[_pos] = Tags.At;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], position);
        _data[_pos + 3] = tag;
        Unsafe.WriteUnaligned(ref _data[_pos + 4], value);
        _pos += 6;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AtU8(ushort position, byte tag, byte value)
    {
        Ensure(5);
        _data[_pos] = Tags.At;
        Unsafe.WriteUnaligned(ref _data[_pos + 1], position);
        _data[_pos + 3] = tag;
        _data[_pos + 4] = value;
        _pos += 5;
    }

    internal void U8(byte value)
    {
        Ensure(1);
        _data[_pos++] = value;
    }

    internal void I32(int value)
    {
        Ensure(4);
        Unsafe.WriteUnaligned(ref _data[_pos], value);
        _pos += 4;
    }

    internal void I64(long value)
    {
        Ensure(8);
        Unsafe.WriteUnaligned(ref _data[_pos], value);
        _pos += 8;
    }

    internal void Decimal(decimal value)
    {
        Ensure(17);
        _data[_pos] = Tags.Decimal;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        for (var i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(_pos + 1 + 4 * i), bits[i]);
        _pos += 17;
    }

    /// <summary>
    /// A string as <c>[int32 full length][int32 kept][UTF-16 code units]</c>, cut
    /// at max_string; the reader adds the marker for what was cut.
    /// </summary>
    internal void Text(string value)
    {
        var kept = Math.Min(value.Length, Limits.MaxString);
        Ensure(8 + 2 * kept);
        Unsafe.WriteUnaligned(ref _data[_pos], value.Length);
        Unsafe.WriteUnaligned(ref _data[_pos + 4], kept);
        _pos += 8;
        CopyChars(value.AsSpan(0, kept));
    }

    /// <summary>A text never cut (console output, messages), in the same layout as <see cref="Text"/>.</summary>
    internal void FullText(string value)
    {
        Ensure(8 + 2 * value.Length);
        Unsafe.WriteUnaligned(ref _data[_pos], value.Length);
        Unsafe.WriteUnaligned(ref _data[_pos + 4], value.Length);
        _pos += 8;
        CopyChars(value.AsSpan());
    }

    private void CopyChars(ReadOnlySpan<char> chars)
    {
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars).CopyTo(_data.AsSpan(_pos));
        _pos += 2 * chars.Length;
    }
}
