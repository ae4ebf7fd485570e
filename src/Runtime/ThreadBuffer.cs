using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// One thread's event stream. Records go straight into the thread's segment of the mapped raw
/// log (<see cref="RawLog"/>): primitive writes check the capacity, store a few bytes, publish
/// the new committed length and return: no allocation, no lock, no lookup, no copy.
/// </summary>
internal sealed unsafe class ThreadBuffer
{
    /// <summary>Record bytes a segment holds after its header.</summary>
    private const int Payload = RawLog.SegmentSize - RawLog.SegmentHeader;

    /// <summary>The first size of a buffer off the log (a scratch buffer, or the thread's after the log refused).</summary>
    private const int ArrayCapacity = 64 * 1024;

    [ThreadStatic] private static ThreadBuffer? _current;

    /// <summary>
    /// Calls this thread entered and has not left yet (written by the owner thread
    /// on Enter/Return/Unwind only, read at exit to let in-flight returns land).
    /// </summary>
    internal int OpenFrames;

    /// <summary>Where the next bytes go: the current segment's records, or <see cref="_array"/>.</summary>
    private byte* _data;
    private int _pos;
    private int _limit;

    /// <summary>
    /// Where each write publishes <see cref="_pos"/>: the segment's committed length, or
    /// <see cref="_unpublished"/> while a value is read (so that a failed read can be taken back
    /// before any reader saw it) and off the log.
    /// </summary>
    private int* _commit;

    private byte* _segment;
    private long _segmentIndex = -1;

    /// <summary>How many segments this thread has taken: the next one's ordinal.</summary>
    private long _segments;

    /// <summary>This thread's stream offset of <c>_data[0]</c>: <see cref="Position"/> keeps growing across segments.</summary>
    private long _base;

    /// <summary>Pinned storage off the log: a scratch buffer's, or the thread's once the log refused a segment.</summary>
    private byte[]? _array;

    /// <summary>Receives what is not published; pinned, so <see cref="_commit"/> may point at it.</summary>
    private readonly int[] _unpublished = GC.AllocateArray<int>(1, pinned: true);

    /// <summary>Open <see cref="Hold"/>s; the outermost started at <see cref="_holdStart"/>.</summary>
    private int _holds;
    private int _holdStart;

    private readonly long _threadId = Environment.CurrentManagedThreadId;

    /// <summary>What this thread's value records told the reader about types (<see cref="ObjectWriter"/>).</summary>
    internal readonly ThreadTypes Types = new();

    /// <summary>The field policy of the value being written (<see cref="FieldPolicies"/>; 0: every field).</summary>
    internal int FieldPolicy;

    /// <summary>The frames of this thread's recorded calls, reused by depth; the open ones are below <see cref="_depth"/>.</summary>
    private Frame[] _frames = [];
    private int _depth;
    private long _calls;

    /// <summary>Incremented each time the writes move on to a fresh segment (or buffer): earlier positions are no longer in <see cref="Since"/>'s reach.</summary>
    internal int Spills;

    /// <summary>A recorded call starts on this thread: its frame, on top of the open ones.</summary>
    internal Frame Push()
    {
        if (_depth == _frames.Length) Array.Resize(ref _frames, Math.Max(16, 2 * _frames.Length));
        var frame = _frames[_depth] ??= NewFrame();
        frame.Call = ++_calls;
        _depth++;
        return frame;
    }

    /// <summary>
    /// The frame of a depth this thread never reached before (so the check costs nothing on the
    /// hot path), where a stack nearly full is noticed (Recorder.StackNearlyFull).
    /// </summary>
    private Frame NewFrame()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack()) Recorder.StackNearlyFull();
        return new Frame(this, _depth);
    }

    /// <summary>A recorded call ends (returns or unwinds): its frame and any above it are closed.</summary>
    internal void Pop(Frame frame) => _depth = frame.Depth;

    /// <summary>The bytes written since <paramref name="start"/> (a position of this buffer's current contents: no spill since).</summary>
    internal ReadOnlySpan<byte> Since(long start) => new(_data + (start - _base), (int)(_base + _pos - start));

    private ThreadBuffer(bool discards)
    {
        _discards = discards;
        _commit = Sink;
        if (discards) UseArray(ArrayCapacity);
    }

    private int* Sink => (int*)Unsafe.AsPointer(ref _unpublished[0]);

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

    /// <summary>A scratch buffer: never registered with the log, its bytes thrown away.</summary>
    private bool _discards;

    /// <summary>
    /// Reading a value can run code of the program on this thread (a field read runs the
    /// type's static constructor). Until <see cref="EndRead"/>, probes reached that way write
    /// into a scratch buffer that is thrown away, so no record lands inside the value's. The value's
    /// own bytes are published only at <see cref="EndRead"/>, so a failed read can be taken back.
    /// </summary>
    internal void BeginRead()
    {
        if (_discards) return;
        Hold();
        _current = _scratch ??= new ThreadBuffer(discards: true);
    }

    /// <summary>Probes write here again; what code run by the read wrote is dropped; the value is published.</summary>
    internal void EndRead()
    {
        if (_discards) return;
        _scratch!._pos = 0;
        Release();
        _current = this;
    }

    /// <summary>
    /// Until the matching <see cref="Release"/>, what is written is not published to the log's
    /// reader, so it can still be taken back (<see cref="Rewind"/>): a value that failed to be
    /// read, or a step's value found equal to the one its frame last wrote. Holds nest.
    /// </summary>
    internal void Hold()
    {
        if (_holds++ > 0) return;
        _holdStart = _pos;
        _commit = Sink;
    }

    /// <summary>Ends a <see cref="Hold"/>; the outermost publishes what was kept.</summary>
    internal void Release()
    {
        if (--_holds > 0) return;
        _commit = _array is null && _segment is not null ? (int*)(_segment + RawLog.CommittedOffset) : Sink;
        Volatile.Write(ref *_commit, _pos);
    }

    private static ThreadBuffer Create()
    {
        var b = new ThreadBuffer(discards: false);
        RawLog.Register(b);
        _current = b;
        return b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Ensure(int bytes)
    {
        if (_pos + bytes > _limit) Spill(bytes);
    }

    /// <summary>The bytes up to <paramref name="end"/> are written: publish them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Commit(int end)
    {
        _pos = end;
        Volatile.Write(ref *_commit, end);
    }

    /// <summary>Room for <paramref name="bytes"/> more (at most a segment's worth; longer texts are written piece by piece).</summary>
    private void Spill(int bytes)
    {
        Spills++;
        if (_array is null)
        {
            NextSegment(bytes);
            return;
        }
        // Off the log the bytes are thrown away.
        _base += _pos;
        _pos = 0;
        if (bytes > _limit) UseArray(Math.Max(bytes, 2 * _limit));
    }

    /// <summary>
    /// Seals the current segment and continues in a fresh one. A value being read moves along
    /// whole when it fits, so that a failed read can still be taken back; the sealed segment then
    /// ends where the value began. When the log refuses a segment (a full disk), the recorder
    /// detaches and this thread's later bytes are thrown away.
    /// </summary>
    private void NextSegment(int bytes)
    {
        var carry = _holds > 0 && _pos - _holdStart + bytes <= Payload ? _pos - _holdStart : 0;
        byte* next;
        long index;
        string? failure = null;
        try
        {
            next = RawLog.TakeSegment(_threadId, _segments, out index);
        }
        catch (Exception e)
        {
            next = null;
            index = -1;
            failure = e is DiskFullException ? e.Message : "runtime flush: " + e.GetType().FullName + ": " + e.Message;
        }
        if (next is not null) Buffer.MemoryCopy(_data + _pos - carry, next + RawLog.SegmentHeader, Payload, carry);
        if (_segment is not null) RawLog.Seal(_segment, _segmentIndex, _pos - carry);
        _base += _pos - carry;
        _holdStart = 0;
        if (next is null)
        {
            _segment = null;
            UseArray(Math.Max(ArrayCapacity, bytes));
            if (failure is not null) Recorder.Fail(failure);
            return;
        }
        _segments++;
        _segment = next;
        _segmentIndex = index;
        _data = next + RawLog.SegmentHeader;
        _limit = Payload;
        _pos = carry;
        _commit = _holds > 0 ? Sink : (int*)(next + RawLog.CommittedOffset);
    }

    private void UseArray(int capacity)
    {
        _array = GC.AllocateArray<byte>(capacity, pinned: true);
        _data = (byte*)Unsafe.AsPointer(ref _array[0]);
        _limit = capacity;
        _pos = 0;
        _commit = Sink;
    }

    /// <summary>Where the next byte goes in this thread's stream; a failed value rewinds to its start.</summary>
    internal long Position => _base + _pos;

    /// <summary>
    /// Takes back what was written since <paramref name="position"/>, when no reader may have
    /// seen it: in a buffer off the log, or within a <see cref="Hold"/>.
    /// </summary>
    internal void Rewind(long position)
    {
        var floor = _array is not null ? _base : _holds > 0 ? _base + _holdStart : _base + _pos;
        if (position >= floor && position <= _base + _pos) _pos = (int)(position - _base);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Tag(byte tag)
    {
        Ensure(1);
        _data[_pos] = tag;
        Commit(_pos + 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagI32(byte tag, int value)
    {
        Ensure(5);
        var p = _data + _pos;
        *p = tag;
        Unsafe.WriteUnaligned(p + 1, value);
        Commit(_pos + 5);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagI64(byte tag, long value)
    {
        Ensure(9);
        var p = _data + _pos;
        *p = tag;
        Unsafe.WriteUnaligned(p + 1, value);
        Commit(_pos + 9);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagU8(byte tag, byte value)
    {
        Ensure(2);
        var p = _data + _pos;
        p[0] = tag;
        p[1] = value;
        Commit(_pos + 2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void TagU16(byte tag, ushort value)
    {
        Ensure(3);
        var p = _data + _pos;
        *p = tag;
        Unsafe.WriteUnaligned(p + 1, value);
        Commit(_pos + 3);
    }

    /// <summary>`At` and a primitive value record in one write (a step's changed variable): <c>[At][uint16 position][tag][value]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void AtValue<T>(ushort position, byte tag, T value) where T : unmanaged
    {
        var size = 4 + sizeof(T);
        Ensure(size);
        var p = _data + _pos;
        *p = Tags.At;
        Unsafe.WriteUnaligned(p + 1, position);
        p[3] = tag;
        Unsafe.WriteUnaligned(p + 4, value);
        Commit(_pos + size);
    }

    internal void U8(byte value)
    {
        Ensure(1);
        _data[_pos] = value;
        Commit(_pos + 1);
    }

    internal void I32(int value)
    {
        Ensure(4);
        Unsafe.WriteUnaligned(_data + _pos, value);
        Commit(_pos + 4);
    }

    internal void I64(long value)
    {
        Ensure(8);
        Unsafe.WriteUnaligned(_data + _pos, value);
        Commit(_pos + 8);
    }

    internal void Decimal(decimal value)
    {
        Ensure(17);
        var p = _data + _pos;
        *p = Tags.Decimal;
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        for (var i = 0; i < 4; i++) BinaryPrimitives.WriteInt32LittleEndian(new Span<byte>(p + 1 + 4 * i, 4), bits[i]);
        Commit(_pos + 17);
    }

    /// <summary>
    /// A string as <c>[int32 full length][int32 kept][UTF-16 code units]</c>, cut
    /// at max_string; the reader adds the marker for what was cut.
    /// </summary>
    internal void Text(string value)
    {
        var kept = Math.Min(value.Length, Limits.MaxString);
        Lengths(value.Length, kept);
        CopyChars(value.AsSpan(0, kept));
    }

    /// <summary>A StringBuilder's text, in the layout of <see cref="Text"/>, copied straight from its chunks.</summary>
    internal void Text(System.Text.StringBuilder value)
    {
        var full = value.Length;
        var kept = Math.Min(full, Limits.MaxString);
        Lengths(full, kept);
        for (var copied = 0; copied < kept;)
        {
            if (_pos + 1 >= _limit) Spill(2);
            var n = Math.Min(kept - copied, (_limit - _pos) / 2);
            value.CopyTo(copied, new Span<char>(_data + _pos, n), n);
            Commit(_pos + 2 * n);
            copied += n;
        }
    }

    /// <summary>A text never cut (console output, messages), in the same layout as <see cref="Text"/>.</summary>
    internal void FullText(string value)
    {
        Lengths(value.Length, value.Length);
        CopyChars(value.AsSpan());
    }

    private void Lengths(int full, int kept)
    {
        Ensure(8);
        Unsafe.WriteUnaligned(_data + _pos, full);
        Unsafe.WriteUnaligned(_data + _pos + 4, kept);
        Commit(_pos + 8);
    }

    /// <summary>Piece by piece, so a text longer than a segment continues in the next one.</summary>
    private void CopyChars(ReadOnlySpan<char> chars)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chars);
        while (bytes.Length > 0)
        {
            if (_pos == _limit) Spill(1);
            var n = Math.Min(bytes.Length, _limit - _pos);
            bytes.Slice(0, n).CopyTo(new Span<byte>(_data + _pos, n));
            Commit(_pos + n);
            bytes = bytes.Slice(n);
        }
    }
}
