using System;

namespace CodeTracer.Runtime;

/// <summary>
/// One recorded call, as instrumented code sees it: <c>Probe.Enter</c> returns it and the
/// method keeps it in a local for its steps and its return. It knows the thread's buffer
/// (no thread-static lookup per step) and remembers, per place of the frame that holds an
/// object, the bytes of the value last written there, so that a step writes an object only
/// when it would write different bytes. Frames are reused by call depth: a new call at a
/// depth gets a new <see cref="Call"/> number, which makes the memory of the previous one void.
/// </summary>
public sealed class Frame
{
    internal readonly ThreadBuffer Buffer;

    /// <summary>The number of frames below this one on its thread.</summary>
    internal readonly int Depth;

    /// <summary>The call that uses the frame now (unique per thread).</summary>
    internal long Call;

    private byte[]?[] _bytes = [];
    private int[] _lengths = [];
    private long[] _calls = [];

    internal Frame(ThreadBuffer buffer, int depth)
    {
        Buffer = buffer;
        Depth = depth;
    }

    /// <summary>Whether <paramref name="bytes"/> are what this call last wrote at <paramref name="place"/>.</summary>
    internal bool Holds(int place, ReadOnlySpan<byte> bytes) =>
        place < _calls.Length && _calls[place] == Call && _bytes[place]!.AsSpan(0, _lengths[place]).SequenceEqual(bytes);

    /// <summary>Keeps <paramref name="bytes"/> as what this call last wrote at <paramref name="place"/>.</summary>
    internal void Remember(int place, ReadOnlySpan<byte> bytes)
    {
        if (place >= _calls.Length)
        {
            var size = Math.Max(place + 1, 2 * _calls.Length);
            Array.Resize(ref _bytes, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _calls, size);
        }
        var kept = _bytes[place];
        if (kept is null || kept.Length < bytes.Length) _bytes[place] = kept = new byte[Math.Max(bytes.Length, 64)];
        bytes.CopyTo(kept);
        _lengths[place] = bytes.Length;
        _calls[place] = Call;
    }

    /// <summary>What this call wrote at <paramref name="place"/> is not known any more.</summary>
    internal void Forget(int place)
    {
        if (place < _calls.Length) _calls[place] = 0;
        if (place < _arrayCalls.Length) _arrayCalls[place] = 0;
    }

    private ArrayMemory?[] _arrays = [];
    private long[] _arrayCalls = [];

    /// <summary>
    /// Whether <paramref name="value"/> is, element for element, the array or list of
    /// primitives or strings this call last wrote at <paramref name="place"/> (so writing it
    /// would repeat the same bytes).
    /// </summary>
    internal bool HoldsSequence(int place, object value) =>
        place < _arrayCalls.Length && _arrayCalls[place] == Call
        && ArrayMemory.TryElements(value, out var items, out var length, out var kept)
        && _arrays[place]!.Matches(value, items, length, kept);

    /// <summary>Keeps <paramref name="value"/> as what this call last wrote at <paramref name="place"/>, when it is one <see cref="ArrayMemory"/> can keep.</summary>
    internal void RememberSequence(int place, object? value)
    {
        if (value is null || !ArrayMemory.TryElements(value, out var items, out var length, out var kept))
        {
            if (place < _arrayCalls.Length) _arrayCalls[place] = 0;
            return;
        }
        if (place >= _arrayCalls.Length)
        {
            var size = Math.Max(place + 1, 2 * _arrayCalls.Length);
            Array.Resize(ref _arrays, size);
            Array.Resize(ref _arrayCalls, size);
        }
        (_arrays[place] ??= new ArrayMemory()).Keep(value, items, length, kept);
        _arrayCalls[place] = Call;
    }
}
