using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// The instance fields a type's values are written with, in order, each read in place at
/// its offset; and, under each field policy, what the filter does to each (decided once per policy).
/// </summary>
internal sealed class FieldSet
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private readonly int[] _offsets;
    private readonly Stored[] _stored;

    /// <summary>Which fields hold text (<see cref="TextTypes"/>): a field named <c>token</c> is a secret only then.</summary>
    private readonly bool[] _texts;

    /// <summary>The names field patterns see.</summary>
    internal readonly string[] Names;

    private byte[]?[] _actions = [];

    /// <summary>
    /// A pair's fields (KeyValuePair, DictionaryEntry, a 2-tuple): the value's index, judged by the
    /// key's when that holds a string (<see cref="FieldPolicies.DecideKeyed(int, string, bool)"/>);
    /// -1 for other types. Found once per type.
    /// </summary>
    private readonly int _keyIndex = -1, _valueIndex = -1;

    /// <summary>Whether a pair's value field holds a reference, whose runtime type says whether it is text.</summary>
    private readonly bool _valueIsReference;

    internal FieldSet(Type type, IReadOnlyList<FieldInfo> fields, string[] names, object? sample)
    {
        var array = fields.ToArray();
        _offsets = Layout.Offsets(type, array, sample);
        _stored = Array.ConvertAll(array, f => Stored.For(f.FieldType));
        _texts = Array.ConvertAll(array, f => TextTypes.IsText(f.FieldType));
        Names = names;
        if (PairFields(type) is var (key, value))
        {
            var k = Array.FindIndex(array, f => f.Name == key);
            var v = Array.FindIndex(array, f => f.Name == value);
            // Only a key field that can hold a string: a KeyValuePair<int, V> has no name to judge.
            if (k >= 0 && v >= 0 && (array[k].FieldType == typeof(string) || array[k].FieldType == typeof(object)))
                (_keyIndex, _valueIndex, _valueIsReference) = (k, v, !array[v].FieldType.IsValueType);
        }
        Named = Array.Exists(array, f => f.Name.StartsWith('_'));
    }

    /// <summary>The key and value fields of a pair type, else null.</summary>
    private static (string Key, string Value)? PairFields(Type type)
    {
        if (type == typeof(System.Collections.DictionaryEntry)) return ("_key", "_value");
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        if (def == typeof(KeyValuePair<,>)) return ("key", "value");
        if (def == typeof(ValueTuple<,>)) return ("Item1", "Item2");
        if (def == typeof(Tuple<,>)) return ("m_Item1", "m_Item2");
        return null;
    }

    internal int Count => _stored.Length;

    /// <summary>Whether a field is one the user named: an F# union case's <c>_radius</c> (not its <c>item1</c>).</summary>
    internal bool Named { get; }

    /// <summary>
    /// The count, then each field's value; under a field policy a field is judged by its name
    /// (when <paramref name="filtered"/>), a pair's value by its string key; a redacted or
    /// dropped field is never read.
    /// </summary>
    internal void Write(ThreadBuffer b, ref byte data, int depth, bool filtered)
    {
        b.I32(_stored.Length);
        var actions = filtered && b.FieldPolicy != 0 ? Actions(b.FieldPolicy) : null;
        for (var i = 0; i < _stored.Length; i++)
        {
            var action = actions is null ? FieldPolicies.Allow : actions[i];
            if (i == _valueIndex && action == FieldPolicies.Allow && b.FieldPolicy != 0) action = KeyedAction(b.FieldPolicy, ref data);
            switch (action)
            {
                case FieldPolicies.Redact: b.Tag(Tags.Redacted); break;
                case FieldPolicies.Drop: b.Tag(Tags.Dropped); break;
                default: _stored[i].Write(b, ref Unsafe.Add(ref data, _offsets[i]), depth + 1); break;
            }
        }
    }

    /// <summary>The action on a pair's value under its key, when the key is a string.</summary>
    private byte KeyedAction(int policy, ref byte data)
    {
        if (Unsafe.As<byte, object?>(ref Unsafe.Add(ref data, _offsets[_keyIndex])) is not string key) return FieldPolicies.Allow;
        var isText = _texts[_valueIndex]
            || (_valueIsReference
                && Unsafe.As<byte, object?>(ref Unsafe.Add(ref data, _offsets[_valueIndex])) is { } value
                && TextTypes.IsText(value.GetType()));
        return FieldPolicies.DecideKeyed(policy, key, isText);
    }

    private byte[] Actions(int policy)
    {
        var known = _actions;
        if (policy < known.Length && known[policy] is { } actions) return actions;
        actions = FieldPolicies.Decide(policy, Names, _texts);
        // Another thread may extend the table at the same time: the last copy wins, and a lost
        // entry is only decided again.
        var grown = new byte[]?[Math.Max(known.Length, policy + 1)];
        Array.Copy(known, grown, known.Length);
        grown[policy] = actions;
        _actions = grown;
        return actions;
    }

    /// <summary>Instance fields, base type's first, then the type's own; ref structs (spans) are never read.</summary>
    internal static List<FieldInfo> AllFields(Type type)
    {
        var chain = new List<Type>();
        for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType) chain.Add(t);
        chain.Reverse();
        var fields = new List<FieldInfo>();
        foreach (var t in chain)
            foreach (var f in t.GetFields(Instance))
                if (!f.FieldType.IsByRefLike) fields.Add(f);
        return fields;
    }

    /// <summary>An auto-property's backing field under the property's name; an F# record field without its <c>@</c>.</summary>
    internal static string DisplayName(string field)
    {
        const string backing = ">k__BackingField";
        if (field.StartsWith('<') && field.EndsWith(backing, StringComparison.Ordinal)) return field.Substring(1, field.Length - 1 - backing.Length);
        const string anonymous = ">i__Field";
        if (field.StartsWith('<') && field.EndsWith(anonymous, StringComparison.Ordinal)) return field.Substring(1, field.Length - 1 - anonymous.Length);
        if (field.Length > 1 && field.EndsWith('@')) return field.Substring(0, field.Length - 1);
        return field;
    }
}

/// <summary>A class, struct or record: a Struct of its instance fields (their names go once per thread, in a FieldsDef).</summary>
internal sealed class StructWriter : CompositeWriter
{
    private readonly FieldSet _fields;

    internal StructWriter(Type type, object? sample) : base(type)
    {
        var fields = FieldSet.AllFields(type);
        _fields = new FieldSet(type, fields, fields.ConvertAll(f => FieldSet.DisplayName(f.Name)).ToArray(), sample);
    }

    protected override void WriteParts(ThreadBuffer b, object value, int depth) => WritePartsAt(b, ref Layout.Data(value), depth);

    protected override void WritePartsAt(ThreadBuffer b, ref byte data, int depth)
    {
        var id = TypeId(b);
        if (b.Types.FirstFields(Own))
        {
            b.TagI32(Tags.FieldsDef, id);
            b.I32(_fields.Count);
            foreach (var name in _fields.Names) b.FullText(name);
        }
        b.TagI32(Tags.Struct, id);
        _fields.Write(b, ref data, depth, filtered: true);
    }
}

/// <summary>A Tuple or ValueTuple: its items (a ValueTuple's eighth is the tuple of the rest); field names are not judged, but a pair's second item is judged by a string first item, as a key.</summary>
internal sealed class TupleWriter : CompositeWriter
{
    private readonly FieldSet _fields;

    internal TupleWriter(Type type, object? sample) : base(type)
    {
        var fields = FieldSet.AllFields(type);
        _fields = new FieldSet(type, fields, fields.ConvertAll(f => f.Name).ToArray(), sample);
    }

    protected override void WriteParts(ThreadBuffer b, object value, int depth) => WritePartsAt(b, ref Layout.Data(value), depth);

    protected override void WritePartsAt(ThreadBuffer b, ref byte data, int depth)
    {
        b.TagI32(Tags.Tuple, TypeId(b));
        _fields.Write(b, ref data, depth, filtered: false);
    }
}
