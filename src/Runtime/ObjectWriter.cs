using System;
using System.Collections;
using System.Collections.Generic;

namespace CodeTracer.Runtime;

/// <summary>
/// Writes a boxed or reference value without running user code: strings, boxed
/// primitives, enums, arrays and List&lt;T&gt; are read; anything else is named
/// by its type (a Raw) until the full value model reads fields.
/// </summary>
internal static class ObjectWriter
{
    internal static void Write(ThreadBuffer b, object? value, int depth)
    {
        switch (value)
        {
            case null: b.Tag(Tags.Null); return;
            case string s: b.Tag(Tags.String); b.Text(s); return;
        }
        var type = value.GetType();
        if (type.IsEnum)
        {
            var id = TypeId(b, type);
            b.TagI32(Tags.Enum, id);
            b.I64(EnumBits(value, type));
            b.Text(value.ToString()!); // Enum.ToString is platform code, never user code.
            return;
        }
        if (type.IsPrimitive || value is decimal)
        {
            b.TagI32(Tags.Boxed, TypeId(b, type));
            WritePrimitive(b, value);
            return;
        }
        if (depth < Limits.MaxDepth)
        {
            if (value is Array array && type.IsSZArray) { WriteSequence(b, type, array, depth); return; }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>)) { WriteSequence(b, type, (IList)value, depth); return; }
        }
        b.TagI32(Tags.Raw, TypeId(b, type));
    }

    private static void WriteSequence(ThreadBuffer b, Type type, IList items, int depth)
    {
        var id = TypeId(b, type);
        var total = items.Count;
        var kept = Math.Min(total, Limits.MaxElements);
        b.TagI32(Tags.Sequence, id);
        b.I32(total);
        b.I32(kept);
        for (var i = 0; i < kept; i++)
        {
            var item = items[i];
            if (item is not null && item.GetType().IsPrimitive) WritePrimitive(b, item);
            else Write(b, item, depth + 1);
        }
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
