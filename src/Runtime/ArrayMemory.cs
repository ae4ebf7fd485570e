using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CodeTracer.Runtime;

/// <summary>
/// What a frame last wrote at a place holding an array or a List&lt;T&gt; of primitives or
/// strings, kept as its type, length and first max_elements elements (raw bytes, or string
/// references: strings are immutable). The sequence writers' bytes are a function of exactly
/// these, so a value that matches would be written as the same bytes: the step skips it
/// without encoding it. Checked against the elements themselves, whoever changed them
/// (recorded code, Array.Sort, a Span, CollectionsMarshal).
/// </summary>
internal sealed class ArrayMemory
{
    private Type? _type;
    private int _length;
    private byte[] _bytes = [];
    private int _byteCount;
    private int _stride;
    private string?[] _strings = [];
    private int _stringCount;

    /// <summary>
    /// The elements of <paramref name="value"/> when it is a one-dimensional array or a List&lt;T&gt;
    /// of primitives or strings: the array that holds them, how many there are, how many are written.
    /// </summary>
    internal static bool TryElements(object value, out Array items, out int length, out int kept)
    {
        if (value is Array array)
        {
            var type = array.GetType();
            var element = type.GetElementType()!;
            items = array;
            length = array.Length;
            kept = Math.Min(length, Limits.MaxElements);
            return type.IsSZArray && (element.IsPrimitive || element == typeof(string));
        }
        var valueType = value.GetType();
        if (valueType.IsGenericType && Writers.For(valueType, value) is ListWriter { HasFlatElements: true } list)
        {
            (items, length) = list.Parts(value);
            kept = ListWriter.Kept(items, length);
            return true;
        }
        items = Array.Empty<int>();
        length = kept = 0;
        return false;
    }

    /// <summary>Whether <paramref name="value"/> has what was kept for a value of its type (from <see cref="TryElements"/>).</summary>
    internal bool Matches(object value, Array items, int length, int kept)
    {
        if (value.GetType() != _type || length != _length) return false;
        return items is string?[] strings ? SameStrings(strings, kept) : Data(items, kept * _stride).SequenceEqual(_bytes.AsSpan(0, _byteCount));
    }

    internal void Keep(object value, Array items, int length, int kept)
    {
        _type = value.GetType();
        _length = length;
        if (items is string?[] strings)
        {
            if (_strings.Length < kept) _strings = new string?[kept];
            Array.Copy(strings, _strings, kept);
            _stringCount = kept;
            _byteCount = 0;
            return;
        }
        _stride = items.Length == 0 ? 0 : (int)(Buffer.ByteLength(items) / items.Length);
        var count = kept * _stride;
        if (_bytes.Length < count) _bytes = new byte[count];
        Data(items, count).CopyTo(_bytes);
        _byteCount = count;
        Array.Clear(_strings, 0, _stringCount); // keep no strings alive for a value that has none
        _stringCount = 0;
    }

    private bool SameStrings(string?[] strings, int kept)
    {
        if (kept != _stringCount) return false;
        for (var i = 0; i < kept; i++)
            if (!ReferenceEquals(strings[i], _strings[i])) return false;
        return true;
    }

    private static ReadOnlySpan<byte> Data(Array array, int count) =>
        MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(array), count);
}
