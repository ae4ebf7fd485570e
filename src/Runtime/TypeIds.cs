using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// A type as value records name it: its name, and a slot numbered once for the whole
/// process, so that each thread finds what it told the reader about the type by an array
/// read (<see cref="ThreadTypes"/>) instead of a lookup by type. Made when a writer is built.
/// </summary>
internal sealed class TypeRef
{
    private static readonly ConcurrentDictionary<Type, TypeRef> All = new();
    private static int _slots;

    internal readonly int Slot;
    internal readonly string Name;

    /// <summary>Types that are no runtime type: an F# union case's Struct of named fields (<c>Shape+Sphere</c>).</summary>
    private static readonly ConcurrentDictionary<string, TypeRef> Named = new();

    private TypeRef(string name)
    {
        Slot = Interlocked.Increment(ref _slots) - 1;
        Name = name;
    }

    internal static TypeRef Of(Type type) => All.TryGetValue(type, out var r) ? r : All.GetOrAdd(type, t => new TypeRef(t.FullName ?? t.Name));

    internal static TypeRef Of(string name) => Named.GetOrAdd(name, n => new TypeRef(n));
}

/// <summary>
/// What one thread's value records told the reader: each type's id (announced once by a
/// TypeDef record) and whether its field names went out (a FieldsDef record), by
/// <see cref="TypeRef.Slot"/>; the objects on the path of the value being written, and the
/// items of the collections on it.
/// </summary>
internal sealed class ThreadTypes
{
    /// <summary>By slot: the thread's id of the type plus one (0: not announced), and whether its field names were.</summary>
    private int[] _ids = new int[64];
    private bool[] _fields = new bool[64];
    private int _count;

    /// <summary>The reference objects from the captured value to the one being written (cycles).</summary>
    internal readonly List<object> Path = new();

    private Items?[] _items = [];

    /// <summary>The thread's items for a collection at <paramref name="depth"/> (a nested one uses the next depth's).</summary>
    internal Items Items(int depth)
    {
        if (depth >= _items.Length) Array.Resize(ref _items, depth + 1);
        return _items[depth] ??= new Items();
    }

    /// <summary>The thread's id for a type, announcing it with a TypeDef record the first time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Id(ThreadBuffer b, TypeRef type)
    {
        var ids = _ids;
        var slot = type.Slot;
        return slot < ids.Length && ids[slot] != 0 ? ids[slot] - 1 : Announce(b, type);
    }

    private int Announce(ThreadBuffer b, TypeRef type)
    {
        Room(type.Slot);
        var id = _count++;
        _ids[type.Slot] = id + 1;
        b.TagI32(Tags.TypeDef, id);
        b.Text(type.Name);
        return id;
    }

    /// <summary>True the first time a type's field names are to be written on this thread.</summary>
    internal bool FirstFields(TypeRef type)
    {
        if (type.Slot < _fields.Length && _fields[type.Slot]) return false;
        Room(type.Slot);
        _fields[type.Slot] = true;
        return true;
    }

    private void Room(int slot)
    {
        if (slot < _ids.Length) return;
        var size = Math.Max(slot + 1, 2 * _ids.Length);
        Array.Resize(ref _ids, size);
        Array.Resize(ref _fields, size);
    }
}
