using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Reflection;

namespace CodeTracer.Runtime;

/// <summary>
/// Writes a boxed or reference value without running user code: no ToString, no
/// property getter, no enumerator of an unknown collection. Every runtime type
/// gets a <see cref="Reader"/> once (cached, shared by all threads) that says how
/// its values are read: fields through <see cref="FieldInfo.GetValue"/> (platform
/// code that runs none of the program's code), the internal fields of the
/// well-known collections (a <see cref="Walker"/>), the invariant text of a few
/// platform value types (<see cref="Formats"/>), or nothing (a Raw naming the type).
/// </summary>
internal static class ObjectWriter
{
    /// <summary>The reference objects on the path from the captured value to the one being written (cycles).</summary>
    [ThreadStatic] private static List<object>? _path;

    internal static void Write(ThreadBuffer b, object? value, int depth)
    {
        if (depth == 0) (_path ??= new List<object>()).Clear();
        switch (value)
        {
            case null: b.Tag(Tags.Null); return;
            case string s: b.Tag(Tags.String); b.Text(s); return;
        }
        var type = value.GetType();
        var reader = Reader.For(type);
        switch (reader.Kind)
        {
            case ReadKind.Enum:
                b.TagI32(Tags.Enum, TypeId(b, type));
                b.I64(EnumBits(value, type));
                b.Text(value.ToString()!); // Enum.ToString is platform code, never user code.
                return;
            case ReadKind.Primitive:
                b.TagI32(Tags.Boxed, TypeId(b, type));
                WritePrimitive(b, value);
                return;
            case ReadKind.Half:
                b.TagI32(Tags.Boxed, TypeId(b, type));
                b.TagI64(Tags.Double, BitConverter.DoubleToInt64Bits((double)(Half)value));
                return;
            case ReadKind.Big:
                WriteBig(b, type, value);
                return;
            case ReadKind.Opaque:
                b.TagI32(Tags.Raw, TypeId(b, reader.Shown ?? type));
                return;
            case ReadKind.Formatted:
                RawText(b, type, reader.Format!(value));
                return;
        }
        // A composite: cut at max_depth and at a reference already on the path.
        if (depth >= Limits.MaxDepth) { RawText(b, type, "<depth limit>"); return; }
        var path = _path ??= new List<object>();
        var isReference = !type.IsValueType;
        if (isReference)
        {
            foreach (var seen in path)
                if (ReferenceEquals(seen, value)) { RawText(b, type, "<cycle>"); return; }
            path.Add(value);
        }
        try
        {
            switch (reader.Kind)
            {
                case ReadKind.Array: WriteArray(b, type, (Array)value, depth); break;
                case ReadKind.List: WriteSequence(b, type, (IList)value, depth); break;
                case ReadKind.Collection: WriteCollection(b, type, reader, value, depth); break;
                case ReadKind.Tuple: WriteTuple(b, type, reader, value, depth); break;
                case ReadKind.Union: WriteUnion(b, type, reader, value, depth); break;
                default: WriteStruct(b, type, reader, value, depth); break;
            }
        }
        finally
        {
            if (isReference) path.RemoveAt(path.Count - 1);
        }
    }

    private static void RawText(ThreadBuffer b, Type type, string text)
    {
        b.TagI32(Tags.RawText, TypeId(b, type));
        b.FullText(text);
    }

    private static void WriteArray(ThreadBuffer b, Type type, Array array, int depth)
    {
        if (type.IsSZArray) { WriteSequence(b, type, array, depth); return; }
        // A multi-dimensional array, flat in row-major order.
        var total = array.Length;
        var kept = Math.Min(total, Limits.MaxElements);
        b.TagI32(Tags.Sequence, TypeId(b, type));
        b.I32(total);
        b.I32(kept);
        var i = 0;
        foreach (var item in array) // Array's enumerator is platform code.
        {
            if (i++ >= kept) break;
            WriteItem(b, item, depth);
        }
    }

    private static void WriteSequence(ThreadBuffer b, Type type, IList items, int depth)
    {
        var id = TypeId(b, type);
        var total = items.Count;
        var kept = Math.Min(total, Limits.MaxElements);
        b.TagI32(Tags.Sequence, id);
        b.I32(total);
        b.I32(kept);
        for (var i = 0; i < kept; i++) WriteItem(b, items[i], depth);
    }

    // A sequence's element: a primitive without its Boxed wrapper (the element type names it).
    private static void WriteItem(ThreadBuffer b, object? item, int depth)
    {
        if (item is not null && item.GetType().IsPrimitive) WritePrimitive(b, item);
        else Write(b, item, depth + 1);
    }

    /// <summary>A collection read by its <see cref="Walker"/>: its first max_elements items, maps' as (key, value) Tuples.</summary>
    private static void WriteCollection(ThreadBuffer b, Type type, Reader r, object value, int depth)
    {
        var walker = r.Walker!;
        var items = new Items(Limits.MaxElements, walker.Pairs);
        var total = walker.Collect(value, items); // the count goes before the items
        var id = TypeId(b, type);
        var pairId = walker.Pairs ? TypeId(b, r.EntryTuple!) : 0;
        b.TagI32(Tags.Sequence, id);
        b.I32(Math.Max(total, items.Count));
        b.I32(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (!walker.Pairs) { WriteItem(b, items.Slots[i], depth); continue; }
            b.TagI32(Tags.Tuple, pairId);
            b.I32(2);
            Write(b, items.Slots[2 * i], depth + 1);
            Write(b, items.Slots[2 * i + 1], depth + 1);
        }
    }

    private static void WriteTuple(ThreadBuffer b, Type type, Reader r, object value, int depth)
    {
        b.TagI32(Tags.Tuple, TypeId(b, type));
        b.I32(r.Fields.Length);
        foreach (var f in r.Fields) Write(b, f.GetValue(value), depth + 1);
    }

    private static void WriteStruct(ThreadBuffer b, Type type, Reader r, object value, int depth)
    {
        var id = TypeId(b, type);
        if (b.FieldsAnnounced.Add(type))
        {
            b.TagI32(Tags.FieldsDef, id);
            b.I32(r.Names.Length);
            foreach (var name in r.Names) b.FullText(name);
        }
        b.TagI32(Tags.Struct, id);
        WriteFields(b, r, value, depth);
    }

    /// <summary>The count, then each field's value; a field the value's field policy redacts or drops is never read.</summary>
    private static void WriteFields(ThreadBuffer b, Reader r, object value, int depth)
    {
        b.I32(r.Fields.Length);
        var actions = b.FieldPolicy == 0 ? null : r.FieldActions(b.FieldPolicy);
        for (var i = 0; i < r.Fields.Length; i++)
        {
            switch (actions?[i] ?? FieldPolicies.Allow)
            {
                case FieldPolicies.Redact: b.Tag(Tags.Redacted); break;
                case FieldPolicies.Drop: b.Tag(Tags.Dropped); break;
                default: Write(b, r.Fields[i].GetValue(value), depth + 1); break;
            }
        }
    }

    /// <summary>An F# union case: its name (from the <c>_tag</c> field or the case class), then its fields.</summary>
    private static void WriteUnion(ThreadBuffer b, Type type, Reader r, object value, int depth)
    {
        string caseName;
        if (r.TagField is not null)
        {
            var tag = (int)r.TagField.GetValue(value)!;
            caseName = tag >= 0 && tag < r.CaseNames.Length ? r.CaseNames[tag] : tag.ToString();
        }
        else caseName = r.CaseName;
        b.TagI32(Tags.Variant, TypeId(b, r.Shown ?? type)); // the union's type, not its case class
        b.FullText(caseName);
        WriteFields(b, r, value, depth);
    }

    private static void WriteBig(ThreadBuffer b, Type type, object value)
    {
        var big = value switch
        {
            BigInteger v => v,
            Int128 v => (BigInteger)v,
            UInt128 v => (BigInteger)v,
            _ => BigInteger.Zero,
        };
        b.TagI32(Tags.BigInt, TypeId(b, type));
        b.U8(big.Sign < 0 ? (byte)1 : (byte)0);
        b.FullText(Convert.ToBase64String(BigInteger.Abs(big).ToByteArray(isUnsigned: true, isBigEndian: true)));
    }

    private static void WritePrimitive(ThreadBuffer b, object value)
    {
        switch (value)
        {
            case bool v: b.TagU8(Tags.Bool, v ? (byte)1 : (byte)0); break;
            case char v: b.TagU16(Tags.Char, v); break;
            case double v: b.TagI64(Tags.Double, BitConverter.DoubleToInt64Bits(v)); break;
            case float v: b.TagI32(Tags.Single, BitConverter.SingleToInt32Bits(v)); break;
            case decimal v: b.Decimal(v); break;
            case ulong v: b.TagI64(Tags.UInt, unchecked((long)v)); break;
            case nuint v: b.TagI64(Tags.UInt, unchecked((long)(ulong)v)); break;
            case nint v: b.TagI64(Tags.Int, v); break; // IntPtr is not IConvertible
            default: b.TagI64(Tags.Int, Convert.ToInt64(value)); break;
        }
    }

    private static long EnumBits(object value, Type type) =>
        Type.GetTypeCode(Enum.GetUnderlyingType(type)) == TypeCode.UInt64
            ? unchecked((long)Convert.ToUInt64(value))
            : Convert.ToInt64(value);

    /// <summary>The thread's id for a runtime type, announcing it once with a TypeDef record.</summary>
    private static int TypeId(ThreadBuffer b, Type type)
    {
        if (b.TypeIds.TryGetValue(type, out var id)) return id;
        id = b.TypeIds.Count;
        b.TypeIds[type] = id;
        b.TagI32(Tags.TypeDef, id);
        b.Text(type.FullName ?? type.Name);
        return id;
    }
}

internal enum ReadKind { Primitive, Enum, Half, Big, Opaque, Formatted, Array, List, Collection, Tuple, Union, Struct }

/// <summary>How the values of one runtime type are read; built once per type and cached.</summary>
internal sealed class Reader
{
    private static readonly ConcurrentDictionary<Type, Reader> Cache = new();

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
    private const string CompilationMapping = "Microsoft.FSharp.Core.CompilationMappingAttribute";

    internal ReadKind Kind;
    /// <summary>The fields read, in order (Struct, Tuple, Union).</summary>
    internal FieldInfo[] Fields = [];
    /// <summary>The names of <see cref="Fields"/> field patterns see (Struct: also the names shown; Union).</summary>
    internal string[] Names = [];
    /// <summary>Collection: how its items are read; a map's (K, V) ValueTuple type its entries are shown as.</summary>
    internal Walker? Walker;
    internal Type? EntryTuple;
    /// <summary>Formatted: the platform's invariant text of a value.</summary>
    internal Func<object, string>? Format;
    /// <summary>F# union: the case names by tag, the tag field if the type has one, else this case class's name.</summary>
    internal string[] CaseNames = [];
    internal FieldInfo? TagField;
    /// <summary>The type a value is shown as: an F# union's for its case class, FSharpFunc's for a closure class.</summary>
    internal Type? Shown;
    internal string CaseName = "";

    /// <summary>The filter's action on each field under a field policy, decided once per policy.</summary>
    private byte[]?[] _fieldActions = [];

    internal byte[] FieldActions(int policy)
    {
        var known = _fieldActions;
        if (policy < known.Length && known[policy] is { } actions) return actions;
        actions = FieldPolicies.Decide(policy, Names);
        // Another thread may extend the table at the same time: the last copy wins, and a lost
        // entry is only decided again.
        var grown = new byte[]?[Math.Max(known.Length, policy + 1)];
        Array.Copy(known, grown, known.Length);
        grown[policy] = actions;
        _fieldActions = grown;
        return actions;
    }

    internal static Reader For(Type type) => Cache.TryGetValue(type, out var r) ? r : Cache.GetOrAdd(type, Build(type));

    private static Reader Build(Type type)
    {
        var r = new Reader();
        try
        {
            r.Kind = Classify(type, r);
        }
        catch (Exception)
        {
            // A type whose shape is not what this reader expects is named, not read.
            r = new Reader { Kind = ReadKind.Opaque };
        }
        return r;
    }

    private static ReadKind Classify(Type type, Reader r)
    {
        if (type.IsEnum) return ReadKind.Enum;
        if (type.IsPrimitive || type == typeof(decimal)) return ReadKind.Primitive;
        if (type == typeof(Half)) return ReadKind.Half;
        if (type == typeof(BigInteger) || type == typeof(Int128) || type == typeof(UInt128)) return ReadKind.Big;
        if (Formats.For(type) is { } format)
        {
            r.Format = format;
            return ReadKind.Formatted;
        }
        if (type.IsArray) return ReadKind.Array;
        if (IsOpaque(type)) return ReadKind.Opaque;
        if (FSharpFunc(type) is { } function)
        {
            r.Shown = function; // not its closure class `f@12`
            return ReadKind.Opaque;
        }
        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(List<>)) return ReadKind.List;
            if (Walker.For(type) is { } walker)
            {
                r.Walker = walker;
                if (walker.Pairs) r.EntryTuple = typeof(ValueTuple<,>).MakeGenericType(type.GetGenericArguments());
                return ReadKind.Collection;
            }
            if (def.FullName is { } n && (n.StartsWith("System.ValueTuple`", StringComparison.Ordinal) || n.StartsWith("System.Tuple`", StringComparison.Ordinal)))
            {
                r.Fields = AllFields(type).ToArray();
                return ReadKind.Tuple;
            }
        }
        if (type.FullName == "System.ValueTuple") { return ReadKind.Tuple; }
        if (UnionType(type) is { } union)
        {
            ReadUnion(type, union, r);
            return ReadKind.Union;
        }
        if (type.Namespace is { } ns
            && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.FSharp.", StringComparison.Ordinal))
            && typeof(IEnumerable).IsAssignableFrom(type))
            return ReadKind.Opaque; // another platform collection (F# Map and Set included): its internals are no value of the program's
        var fields = AllFields(type);
        r.Fields = fields.ToArray();
        r.Names = fields.ConvertAll(f => DisplayName(f.Name)).ToArray();
        return ReadKind.Struct;
    }

    /// <summary>Types whose fields mean nothing to the user or that must not be read.</summary>
    private static bool IsOpaque(Type type) =>
        typeof(Delegate).IsAssignableFrom(type)
        || typeof(System.Threading.Tasks.Task).IsAssignableFrom(type)
        || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Threading.Tasks.ValueTask<>))
        || type == typeof(System.Threading.Tasks.ValueTask)
        || typeof(MemberInfo).IsAssignableFrom(type)
        || typeof(System.IO.Stream).IsAssignableFrom(type)
        || typeof(System.IO.TextReader).IsAssignableFrom(type)
        || typeof(System.IO.TextWriter).IsAssignableFrom(type)
        || typeof(System.Threading.Thread).IsAssignableFrom(type)
        || typeof(System.Threading.WaitHandle).IsAssignableFrom(type)
        || typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(type)
        || type == typeof(Pointer)
        || type.IsPointer
        || type.IsCOMObject
        || typeof(Exception).IsAssignableFrom(type);

    /// <summary>The <c>FSharpFunc&lt;A, B&gt;</c> an F# closure class derives from, else null.</summary>
    private static Type? FSharpFunc(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.FullName is { } n && n.StartsWith("Microsoft.FSharp.Core.FSharpFunc`", StringComparison.Ordinal)) return t;
        return null;
    }

    /// <summary>Instance fields, base type's first, then the type's own.</summary>
    private static List<FieldInfo> AllFields(Type type)
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

    // SourceConstructFlags: SumType = 1, UnionCase = 8; the kind is the low 5 bits.
    private static int MappingKind(MemberInfo m, out int index)
    {
        index = -1;
        foreach (var a in m.GetCustomAttributesData()) // attribute data: no attribute constructor runs
        {
            if (a.AttributeType.FullName != CompilationMapping || a.ConstructorArguments.Count == 0) continue;
            var flags = Convert.ToInt32(a.ConstructorArguments[0].Value);
            if (a.ConstructorArguments.Count > 1 && a.ConstructorArguments[1].Value is int i) index = i;
            return flags & 31;
        }
        return -1;
    }

    /// <summary>The F# union type a runtime type is (or is a case class of), else null.</summary>
    private static Type? UnionType(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            if (MappingKind(t, out _) == 1) return t;
        return null;
    }

    private static void ReadUnion(Type type, Type union, Reader r)
    {
        var names = new SortedDictionary<int, string>();
        var withFields = new List<string>();
        foreach (var m in union.GetMembers(BindingFlags.Public | BindingFlags.Static))
        {
            if (MappingKind(m, out var index) != 8 || index < 0) continue;
            var name = m is MethodInfo mi && mi.Name.StartsWith("New", StringComparison.Ordinal) ? mi.Name.Substring(3) : m.Name.StartsWith("get_", StringComparison.Ordinal) ? m.Name.Substring(4) : m.Name;
            names[index] = name;
            if (m is MethodInfo { IsSpecialName: false }) withFields.Add(name);
        }
        r.CaseNames = new string[names.Count == 0 ? 0 : names.Keys.Max() + 1];
        foreach (var (i, n) in names) r.CaseNames[i] = n;
        var fields = AllFields(type);
        r.TagField = fields.Find(f => f.Name == "_tag" && f.FieldType == typeof(int));
        fields.RemoveAll(f => f.Name == "_tag");
        r.Fields = fields.ToArray();
        // `_password` backs the case field `password`: the name field patterns see.
        r.Names = fields.Select(f => f.Name.TrimStart('_')).ToArray();
        r.Shown = union;
        if (r.TagField is null)
        {
            if (union.IsGenericType && union.GetGenericTypeDefinition().FullName == "Microsoft.FSharp.Core.FSharpOption`1")
                r.CaseName = "Some"; // None is null
            else if (type != union && type.DeclaringType == union) r.CaseName = type.Name.TrimStart('_');
            else if (r.CaseNames.Length == 1) r.CaseName = r.CaseNames[0];
            else if (withFields.Count == 1) r.CaseName = withFields[0]; // the non-null case of an option-like union
            else r.CaseName = type.Name;
        }
    }
}
