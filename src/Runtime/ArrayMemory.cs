using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CodeTracer.Runtime;

/// <summary>
/// What a frame last wrote at a place holding an array of primitives or strings, kept as the
/// array's type, length and first max_elements elements (raw bytes, or string references:
/// strings are immutable). The array writer's bytes are a function of exactly these, so an
/// array that matches would be written as the same bytes: the step skips it without encoding
/// it. Checked against the array itself, whoever changed it (recorded code, Array.Sort, a Span).
/// </summary>
internal sealed class ArrayMemory
{
    private Type? _type;
    private int _length;
    private byte[] _bytes = [];
    private int _byteCount;
    private string?[] _strings = [];
    private int _stringCount;

    /// <summary>Whether <paramref name="array"/>'s type qualifies: a one-dimensional array of primitives or strings.</summary>
    internal static bool Applies(Array array)
    {
        var type = array.GetType();
        if (!type.IsSZArray) return false;
        var element = type.GetElementType()!;
        return element.IsPrimitive || element == typeof(string);
    }

    /// <summary>Whether <paramref name="array"/> has what was kept (<see cref="Keep"/> ran for an array that <see cref="Applies"/>).</summary>
    internal bool Matches(Array array)
    {
        if (array.GetType() != _type || array.Length != _length) return false;
        return array is string?[] strings ? SameStrings(strings) : Data(array, _byteCount).SequenceEqual(_bytes.AsSpan(0, _byteCount));
    }

    internal void Keep(Array array)
    {
        _type = array.GetType();
        _length = array.Length;
        var kept = Math.Min(_length, Limits.MaxElements);
        if (array is string?[] strings)
        {
            if (_strings.Length < kept) _strings = new string?[kept];
            Array.Copy(strings, _strings, kept);
            _stringCount = kept;
            _byteCount = 0;
            return;
        }
        var count = kept * (int)(Buffer.ByteLength(array) / Math.Max(_length, 1));
        if (_bytes.Length < count) _bytes = new byte[count];
        Data(array, count).CopyTo(_bytes);
        _byteCount = count;
        Array.Clear(_strings, 0, _stringCount); // keep no strings alive for an array that has none
        _stringCount = 0;
    }

    private bool SameStrings(string?[] strings)
    {
        var kept = Math.Min(strings.Length, Limits.MaxElements);
        if (kept != _stringCount) return false;
        for (var i = 0; i < kept; i++)
            if (!ReferenceEquals(strings[i], _strings[i])) return false;
        return true;
    }

    private static ReadOnlySpan<byte> Data(Array array, int count) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), count);
}
