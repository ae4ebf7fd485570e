using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CodeTracer.Runtime;

/// <summary>An array or a List&lt;T&gt;: a Sequence of its first max_elements elements, read in place from the array.</summary>
internal abstract class ArraySequenceWriter(Type type, Type element) : CompositeWriter(type)
{
    private readonly Stored _element = Stored.For(element);
    private readonly int _stride = Layout.Stride(element);

    /// <summary>The first <paramref name="kept"/> of <paramref name="total"/> elements of <paramref name="array"/> (row-major when it has ranks).</summary>
    protected void WriteElements(ThreadBuffer b, Array array, int total, int kept, int depth)
    {
        var id = TypeId(b);
        b.TagI32(Tags.Sequence, id);
        b.I32(total);
        b.I32(kept);
        ref var first = ref MemoryMarshal.GetArrayDataReference(array);
        for (var i = 0; i < kept; i++) _element.WriteItem(b, ref Unsafe.Add(ref first, (nint)i * _stride), depth + 1);
    }
}

internal sealed class ArrayWriter(Type type) : ArraySequenceWriter(type, type.GetElementType()!)
{
    protected override void WriteParts(ThreadBuffer b, object value, int depth)
    {
        var array = Unsafe.As<Array>(value);
        var total = array.Length;
        WriteElements(b, array, total, Math.Min(total, Limits.MaxElements), depth);
    }
}

/// <summary>List&lt;T&gt;: its <c>_items</c> array, <c>_size</c> long (read as is: a list another thread grows can be torn).</summary>
internal sealed class ListWriter : ArraySequenceWriter
{
    private readonly int _itemsAt, _sizeAt;

    internal ListWriter(Type type, object? sample) : base(type, type.GetGenericArguments()[0])
    {
        var offsets = Layout.Offsets(type, [Walker.Field(type, "_items"), Walker.Field(type, "_size")], sample);
        _itemsAt = offsets[0];
        _sizeAt = offsets[1];
        var element = type.GetGenericArguments()[0];
        HasFlatElements = element.IsPrimitive || element == typeof(string);
    }

    /// <summary>Whether the elements are primitives or strings (what <see cref="ArrayMemory"/> can keep).</summary>
    internal bool HasFlatElements { get; }

    protected override void WriteParts(ThreadBuffer b, object value, int depth)
    {
        var (items, size) = Parts(value);
        WriteElements(b, items, size, Kept(items, size), depth);
    }

    /// <summary>The list's array and size, read in place.</summary>
    internal (Array Items, int Size) Parts(object list)
    {
        ref var data = ref Layout.Data(list);
        var items = Unsafe.As<byte, Array>(ref Unsafe.Add(ref data, _itemsAt));
        var size = Math.Max(Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref data, _sizeAt)), 0);
        return (items, size);
    }

    /// <summary>How many of the list's elements are written.</summary>
    internal static int Kept(Array items, int size) => Math.Min(Math.Min(size, Limits.MaxElements), items.Length);
}

/// <summary>
/// A collection read by its <see cref="Walker"/>: its first max_elements items, a map's as
/// (key, value) Tuples. Under a field policy, an entry's string key is judged as a field
/// name: the value of <c>settings["password"]</c> is written redacted (or dropped), never read.
/// </summary>
internal sealed class CollectionWriter : CompositeWriter
{
    private readonly Walker _walker;

    /// <summary>A map's (K, V) ValueTuple type, its entries are shown as.</summary>
    private readonly TypeRef? _entry;

    private ValueWriter? _lastItem, _lastKey, _lastValue;

    internal CollectionWriter(Type type, Walker walker) : base(type)
    {
        _walker = walker;
        // A Hashtable's entries are (object, object).
        var shape = walker.Shape;
        if (walker.Pairs) _entry = TypeRef.Of(typeof(ValueTuple<,>).MakeGenericType(shape.IsGenericType ? shape.GetGenericArguments() : [typeof(object), typeof(object)]));
    }

    protected override void WriteParts(ThreadBuffer b, object value, int depth)
    {
        var items = b.Types.Items(depth).Start(Limits.MaxElements);
        var total = _walker.Collect(value, items); // the count goes before the items
        var id = TypeId(b);
        var pairId = _entry is null ? 0 : b.Types.Id(b, _entry);
        b.TagI32(Tags.Sequence, id);
        b.I32(Math.Max(total, items.Count));
        b.I32(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (_entry is null)
            {
                ObjectWriter.WriteChild(b, items.Slots[i], depth + 1, ref _lastItem, item: true);
                continue;
            }
            b.TagI32(Tags.Tuple, pairId);
            b.I32(2);
            var key = items.Slots[2 * i];
            var entry = items.Slots[2 * i + 1];
            ObjectWriter.WriteChild(b, key, depth + 1, ref _lastKey, item: false);
            WriteKeyed(b, key, entry, depth + 1, ref _lastValue);
        }
        items.Clear();
    }

    /// <summary>
    /// A value held under <paramref name="key"/>, or Redacted or Dropped as the filter decides for
    /// the key (<see cref="FieldPolicies.DecideKeyed(ThreadBuffer, object?, object?)"/>): a hidden
    /// value is never read. For every walker of (key, value) entries, F# <c>Map</c>'s included.
    /// </summary>
    internal static void WriteKeyed(ThreadBuffer b, object? key, object? value, int depth, ref ValueWriter? last)
    {
        switch (FieldPolicies.DecideKeyed(b, key, value))
        {
            case FieldPolicies.Redact: b.Tag(Tags.Redacted); break;
            case FieldPolicies.Drop: b.Tag(Tags.Dropped); break;
            default: ObjectWriter.WriteChild(b, value, depth, ref last, item: false); break;
        }
    }
}
