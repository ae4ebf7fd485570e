using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CodeTracer.Runtime;

/// <summary>
/// The first items of a collection, as a <see cref="Walker"/> found them (key and value slots
/// for a map). Each thread keeps one per nesting depth (<see cref="ThreadTypes.Items"/>) and
/// empties it after use, so gathering allocates nothing once its slots have grown.
/// </summary>
internal sealed class Items
{
    internal object?[] Slots = new object?[8]; // grown as needed: most collections are small
    internal int Capacity;
    internal int Count;

    internal bool Full => Count >= Capacity;

    /// <summary>Empty, for at most <paramref name="capacity"/> items.</summary>
    internal Items Start(int capacity)
    {
        Capacity = capacity;
        Count = 0;
        return this;
    }

    /// <summary>Lets go of the items gathered (they are the program's objects).</summary>
    internal void Clear() => Array.Clear(Slots, 0, Math.Min(Slots.Length, 2 * Count));

    /// <summary>Keeps an item while there is room; false once full (the walk stops).</summary>
    internal bool Add(object? item)
    {
        if (Full) return false;
        Room(Count + 1);
        Slots[Count++] = item;
        return !Full;
    }

    internal bool Add(object? key, object? value)
    {
        if (Full) return false;
        Room(2 * Count + 2);
        Slots[2 * Count] = key;
        Slots[2 * Count + 1] = value;
        Count++;
        return !Full;
    }

    private void Room(int slots)
    {
        if (slots > Slots.Length) Array.Resize(ref Slots, 2 * Slots.Length);
    }
}

/// <summary>
/// Reads one collection type's elements from its internal fields (never its
/// enumerator: concurrent and tree collections lock or check versions there).
/// Built once per type with the fields it reads; walks stop once the items are full.
/// </summary>
internal abstract class Walker
{
    protected const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>Adds the first elements to <paramref name="into"/> and returns how many the collection holds.</summary>
    internal abstract int Collect(object value, Items into);

    /// <summary>Whether the elements are (key, value) pairs.</summary>
    internal bool Pairs;

    /// <summary>A field of the type or a base type, or the backing field of the auto-property of that name.</summary>
    internal static FieldInfo Field(Type type, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if ((t.GetField(name, Instance) ?? t.GetField("<" + name + ">k__BackingField", Instance)) is { } f) return f;
        throw new MissingFieldException(type.Name, name);
    }

    protected static int Int(FieldInfo f, object o) => (int)f.GetValue(o)!;

    /// <summary>The collection type the walker reads: the walked type or the base it derives from.</summary>
    internal Type Shape = typeof(object);

    /// <summary>
    /// The walker for a collection type read from its fields, else null; <paramref name="sample"/>
    /// is a value of it (a class's fields read in place are measured on it). A class derived from
    /// a collection is read as that collection: its fields would show the collection's
    /// internals, among them a value under a secret key that no key would judge.
    /// </summary>
    internal static Walker? For(Type type, object? sample)
    {
        for (var shape = type; shape is not null; shape = shape.BaseType)
            if (Of(type, shape, sample) is { } walker)
            {
                walker.Shape = shape;
                return walker;
            }
        return null;
    }

    private static Walker? Of(Type type, Type shape, object? sample)
    {
        if (shape == typeof(System.Collections.Hashtable)) return new HashtableWalker(type, sample);
        if (!shape.IsGenericType) return null;
        var def = shape.GetGenericTypeDefinition().FullName;
        return def switch
        {
            "System.Collections.Generic.Dictionary`2" => new SlotsWalker(type, sample, "next", "key", "value"),
            "System.Collections.Generic.HashSet`1" => new SlotsWalker(type, sample, "Next", "Value"),
            "System.Collections.Generic.Queue`1" => new RingWalker(type, sample, "_array", "_size", head: "_head"),
            "System.Collections.Generic.Stack`1" => new RingWalker(type, sample, "_array", "_size", reverse: true),
            "System.Collections.Immutable.ImmutableArray`1" => new RingWalker(type, sample, "array", null),
            "System.Collections.Generic.SortedList`2" => new ParallelWalker(type),
            "System.Collections.Generic.LinkedList`1" => new LinkedWalker(type),
            "Microsoft.FSharp.Collections.FSharpList`1" => new FSharpListWalker(type),
            "Microsoft.FSharp.Collections.FSharpMap`2" => FSharpTreeWalker.Map(type, sample),
            "Microsoft.FSharp.Collections.FSharpSet`1" => FSharpTreeWalker.Set(type, sample),
            "System.Collections.Generic.SortedSet`1" => TreeWalker.Sorted(shape, type, null),
            "System.Collections.Generic.SortedDictionary`2" => TreeWalker.Sorted(shape, Field(type, "_set").FieldType, Field(type, "_set")),
            "System.Collections.Immutable.ImmutableList`1" => TreeWalker.Immutable(type, null),
            "System.Collections.Immutable.ImmutableHashSet`1" => TreeWalker.Immutable(type, "_count"),
            "System.Collections.Immutable.ImmutableDictionary`2" => TreeWalker.Immutable(type, "_count"),
            "System.Collections.Concurrent.ConcurrentDictionary`2" => new ConcurrentDictionaryWalker(type),
            "System.Collections.Concurrent.ConcurrentQueue`1" => new ConcurrentQueueWalker(type),
            "System.Collections.Concurrent.ConcurrentBag`1" => new ConcurrentBagWalker(type),
            _ => null,
        };
    }
}

/// <summary>A KeyValuePair's key and value fields, to add a boxed pair as a map entry.</summary>
internal sealed class PairFields(Type pair)
{
    private readonly FieldInfo _key = Walker.Field(pair, "key");
    private readonly FieldInfo _value = Walker.Field(pair, "value");

    internal bool Add(Items into, object? pair) =>
        pair is null ? into.Add(null) : into.Add(_key.GetValue(pair), _value.GetValue(pair));
}

/// <summary>
/// A field read in place at its offset (<see cref="Layout"/>): an int, or a value as an
/// object, as the walkers gather them (a value type boxed, a reference as it is).
/// </summary>
internal sealed class FieldAt
{
    private readonly int _offset;
    private readonly Layout.Boxer? _box;

    private FieldAt(int offset, Type type)
    {
        _offset = offset;
        _box = type.IsValueType ? Layout.BoxerOf(type) : null;
    }

    /// <summary>Fields of <paramref name="type"/> (measured on <paramref name="sample"/> for a class).</summary>
    internal static FieldAt[] Of(Type type, object? sample, params FieldInfo[] fields)
    {
        var offsets = Layout.Offsets(type, fields, sample);
        var at = new FieldAt[fields.Length];
        for (var i = 0; i < fields.Length; i++) at[i] = new FieldAt(offsets[i], fields[i].FieldType);
        return at;
    }

    /// <summary>An array's element, at the start of its slot.</summary>
    internal static FieldAt Element(Type element) => new(0, element);

    internal int Int(ref byte data) => Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref data, _offset));

    internal object? Object(ref byte data)
    {
        ref var at = ref Unsafe.Add(ref data, _offset);
        return _box is null ? Unsafe.As<byte, object?>(ref at) : _box(ref at);
    }
}

/// <summary>Dictionary&lt;K,V&gt; and HashSet&lt;T&gt;: the live slots of <c>_entries</c> (a free slot's next is below -1), read in place.</summary>
internal sealed class SlotsWalker : Walker
{
    private readonly FieldAt _entries, _count, _free, _next;
    private readonly FieldAt[] _parts;
    private readonly int _stride;

    internal SlotsWalker(Type type, object? sample, string next, params string[] parts)
    {
        var entries = Field(type, "_entries");
        var own = FieldAt.Of(type, sample, entries, Field(type, "_count"), Field(type, "_freeCount"));
        (_entries, _count, _free) = (own[0], own[1], own[2]);
        var entry = entries.FieldType.GetElementType()!;
        var inEntry = FieldAt.Of(entry, null, [Field(entry, next), .. Array.ConvertAll(parts, p => Field(entry, p))]);
        _next = inEntry[0];
        _parts = inEntry[1..];
        _stride = Layout.Stride(entry);
        Pairs = parts.Length == 2;
    }

    internal override int Collect(object value, Items into)
    {
        ref var data = ref Layout.Data(value);
        var count = _count.Int(ref data);
        if (_entries.Object(ref data) is not Array entries) return 0;
        ref var first = ref MemoryMarshal.GetArrayDataReference(entries);
        for (var i = 0; i < count && i < entries.Length && !into.Full; i++)
        {
            ref var entry = ref Unsafe.Add(ref first, (nint)i * _stride);
            if (_next.Int(ref entry) < -1) continue;
            if (Pairs) into.Add(_parts[0].Object(ref entry), _parts[1].Object(ref entry));
            else into.Add(_parts[0].Object(ref entry));
        }
        return count - _free.Int(ref data);
    }
}

/// <summary>Hashtable: the buckets of <c>_buckets</c> holding a key (a free bucket's key is null, a removed one's the bucket array itself), read in place.</summary>
internal sealed class HashtableWalker : Walker
{
    private readonly FieldAt _buckets, _count, _key, _value;
    private readonly int _stride;

    internal HashtableWalker(Type type, object? sample)
    {
        var buckets = Field(type, "_buckets");
        var own = FieldAt.Of(type, sample, buckets, Field(type, "_count"));
        (_buckets, _count) = (own[0], own[1]);
        var bucket = buckets.FieldType.GetElementType()!;
        var inBucket = FieldAt.Of(bucket, null, Field(bucket, "key"), Field(bucket, "val"));
        (_key, _value) = (inBucket[0], inBucket[1]);
        _stride = Layout.Stride(bucket);
        Pairs = true;
    }

    internal override int Collect(object value, Items into)
    {
        ref var data = ref Layout.Data(value);
        if (_buckets.Object(ref data) is not Array buckets) return 0;
        ref var first = ref MemoryMarshal.GetArrayDataReference(buckets);
        for (var i = 0; i < buckets.Length && !into.Full; i++)
        {
            ref var bucket = ref Unsafe.Add(ref first, (nint)i * _stride);
            var key = _key.Object(ref bucket);
            if (key is null || ReferenceEquals(key, buckets)) continue;
            into.Add(key, _value.Object(ref bucket));
        }
        return _count.Int(ref data);
    }
}

/// <summary>An array's first <c>size</c> slots from <c>head</c> on, wrapping (Queue), top first (Stack), or all of it (ImmutableArray); read in place.</summary>
internal sealed class RingWalker : Walker
{
    private readonly FieldAt _array;
    private readonly FieldAt? _size, _head;
    private readonly FieldAt _element;
    private readonly int _stride;
    private readonly bool _reverse;

    internal RingWalker(Type type, object? sample, string array, string? size, string? head = null, bool reverse = false)
    {
        var arrayField = Field(type, array);
        var fields = new System.Collections.Generic.List<FieldInfo> { arrayField };
        if (size is not null) fields.Add(Field(type, size));
        if (head is not null) fields.Add(Field(type, head));
        var at = FieldAt.Of(type, sample, fields.ToArray());
        _array = at[0];
        _size = size is null ? null : at[1];
        _head = head is null ? null : at[^1];
        var element = arrayField.FieldType.GetElementType()!;
        _element = FieldAt.Element(element);
        _stride = Layout.Stride(element);
        _reverse = reverse;
    }

    internal override int Collect(object value, Items into)
    {
        ref var data = ref Layout.Data(value);
        if (_array.Object(ref data) is not Array array) return 0; // a default ImmutableArray holds none
        var size = _size is null ? array.Length : _size.Int(ref data);
        var head = _head is null ? 0 : _head.Int(ref data);
        if (size < 0 || size > array.Length || head < 0 || head >= Math.Max(array.Length, 1)) return 0;
        ref var first = ref MemoryMarshal.GetArrayDataReference(array);
        for (var i = 0; i < size; i++)
        {
            var index = _reverse ? size - 1 - i : (head + i) % array.Length;
            if (!into.Add(_element.Object(ref Unsafe.Add(ref first, (nint)index * _stride)))) break;
        }
        return size;
    }
}

/// <summary>SortedList&lt;K,V&gt;: its <c>keys</c> and <c>values</c> arrays, <c>_size</c> long.</summary>
internal sealed class ParallelWalker : Walker
{
    private readonly FieldInfo _keys, _values, _size;

    internal ParallelWalker(Type type)
    {
        _keys = Field(type, "keys");
        _values = Field(type, "values");
        _size = Field(type, "_size");
        Pairs = true;
    }

    internal override int Collect(object value, Items into)
    {
        var size = Int(_size, value);
        if (_keys.GetValue(value) is not Array keys || _values.GetValue(value) is not Array values || size > keys.Length || size > values.Length) return 0;
        for (var i = 0; i < size && into.Add(keys.GetValue(i), values.GetValue(i)); i++) { }
        return size;
    }
}

/// <summary>LinkedList&lt;T&gt;: <c>count</c> nodes from <c>head</c> along <c>next</c> (the last node's next is the head again).</summary>
internal sealed class LinkedWalker : Walker
{
    private readonly FieldInfo _head, _count, _next, _item;

    internal LinkedWalker(Type type)
    {
        _head = Field(type, "head");
        _count = Field(type, "count");
        _next = Field(_head.FieldType, "next");
        _item = Field(_head.FieldType, "item");
    }

    internal override int Collect(object value, Items into)
    {
        var count = Int(_count, value);
        var node = _head.GetValue(value);
        for (var i = 0; i < count && node is not null && into.Add(_item.GetValue(node)); i++) node = _next.GetValue(node);
        return count;
    }
}

/// <summary>An F# list: its cells' <c>head</c> up to the empty cell (whose <c>tail</c> is null); it has no count field.</summary>
internal sealed class FSharpListWalker : Walker
{
    private readonly FieldInfo _head, _tail;

    internal FSharpListWalker(Type type)
    {
        _head = Field(type, "head");
        _tail = Field(type, "tail");
    }

    internal override int Collect(object value, Items into)
    {
        var total = 0;
        for (var cell = value; _tail.GetValue(cell) is { } next; cell = next, total++)
            into.Add(_head.GetValue(cell));
        return total;
    }
}
