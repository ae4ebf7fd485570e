using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Numerics;
using System.Reflection;

namespace CodeTracer.Runtime;

/// <summary>
/// The <see cref="ValueWriter"/> of each runtime type: chosen and built the first time a
/// value of the type is written, then shared by all threads.
/// </summary>
internal static class Writers
{
    private static readonly ConcurrentDictionary<Type, ValueWriter> Built = new();

    /// <summary>
    /// The writers found last, by a hash of their type: most lookups end here, without the
    /// dictionary. Threads may overwrite each other's entries; an entry is one reference, so
    /// it is always a whole writer, checked against the type asked for.
    /// </summary>
    private static readonly ValueWriter?[] Recent = new ValueWriter?[256];

    /// <summary>
    /// The writer of a runtime type. <paramref name="sample"/> is a value of it, needed for a
    /// class (its fields are measured on an object of it), null for a value type.
    /// </summary>
    internal static ValueWriter For(Type type, object? sample)
    {
        var slot = (int)((nuint)type.TypeHandle.Value >> 3) & (Recent.Length - 1);
        if (Recent[slot] is { } recent && ReferenceEquals(recent.Type, type)) return recent;
        var writer = Built.TryGetValue(type, out var known) ? known : Built.GetOrAdd(type, Build(type, sample));
        Recent[slot] = writer;
        return writer;
    }

    private static ValueWriter Build(Type type, object? sample)
    {
        try
        {
            return Choose(type, sample);
        }
        catch (Exception)
        {
            // A type whose shape is not what its writer expects is named, not read.
            return new OpaqueWriter(type, null);
        }
    }

    private static ValueWriter Choose(Type type, object? sample)
    {
        if (type.IsEnum) return new EnumWriter(type);
        if (type.IsPrimitive || type == typeof(decimal) || type == typeof(Half)) return new PrimitiveWriter(type);
        if (type == typeof(BigInteger) || type == typeof(Int128) || type == typeof(UInt128)) return new BigWriter(type);
        if (Formats.For(type) is { } format) return new FormattedWriter(type, format);
        if (type == typeof(System.Text.StringBuilder)) return new BuilderTextWriter();
        if (type.IsArray) return new ArrayWriter(type);
        if (IsOpaque(type)) return new OpaqueWriter(type, null);
        if (FSharpFunc(type) is { } function) return new OpaqueWriter(type, function); // not its closure class `f@12`
        if (type.IsGenericType)
        {
            var def = type.GetGenericTypeDefinition();
            if (def == typeof(List<>)) return new ListWriter(type, sample);
            if (Walker.For(type, sample) is { } walker) return new CollectionWriter(type, walker);
            if (def.FullName is { } n && (n.StartsWith("System.ValueTuple`", StringComparison.Ordinal) || n.StartsWith("System.Tuple`", StringComparison.Ordinal)))
                return new TupleWriter(type, sample);
        }
        if (type.FullName == "System.ValueTuple") return new TupleWriter(type, sample);
        if (FSharpUnions.UnionType(type) is { } union) return new UnionWriter(type, union, sample);
        if (type.Namespace is { } ns
            && (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.FSharp.", StringComparison.Ordinal))
            && typeof(IEnumerable).IsAssignableFrom(type))
            return new OpaqueWriter(type, null); // another platform collection (F# Map and Set included): its internals are no value of the program's
        return new StructWriter(type, sample);
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
}
