using System;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// Where values lie in memory, measured once per type so that values are read in place:
/// a field at its byte offset from the start of its object's (or struct's) data, an array
/// element at its stride. Such a read is a load: no boxing, no reflection call, and no code
/// of the program (unlike <see cref="FieldInfo.GetValue"/>, it never runs a static constructor).
/// The measuring methods are emitted with visibility checks skipped: the fields are private.
/// </summary>
internal static class Layout
{
    private sealed class RawData
    {
        public byte Data;
    }

    /// <summary>The start of an object's fields, or of a boxed struct's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ref byte Data(object value) => ref Unsafe.As<RawData>(value).Data;

    /// <summary>Boxes the value of a value type stored at <paramref name="data"/>.</summary>
    internal delegate object Boxer(ref byte data);

    private delegate void ClassOffsets(object instance, ref byte data, int[] into);

    private delegate void StructOffsets(int[] into);

    /// <summary>
    /// The byte offset of each of <paramref name="fields"/> (instance fields of <paramref name="type"/>
    /// or its bases) from the start of the type's data. A class is measured on one of its objects
    /// (an object made without its constructor could run its static constructor); a struct on a local.
    /// </summary>
    internal static int[] Offsets(Type type, FieldInfo[] fields, object? instance)
    {
        var offsets = new int[fields.Length];
        if (fields.Length == 0) return offsets;
        if (type.IsValueType)
        {
            var method = Method("offsets", typeof(void), [typeof(int[])]);
            var il = method.GetILGenerator();
            il.DeclareLocal(type);
            for (var i = 0; i < fields.Length; i++)
            {
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Ldloca_S, (byte)0);
                il.Emit(OpCodes.Ldflda, fields[i]);
                il.Emit(OpCodes.Ldloca_S, (byte)0);
                il.Emit(OpCodes.Sub);
                il.Emit(OpCodes.Conv_I4);
                il.Emit(OpCodes.Stelem_I4);
            }
            il.Emit(OpCodes.Ret);
            ((StructOffsets)method.CreateDelegate(typeof(StructOffsets)))(offsets);
        }
        else
        {
            var target = instance ?? throw new ArgumentNullException(nameof(instance));
            var method = Method("offsets", typeof(void), [typeof(object), typeof(byte).MakeByRefType(), typeof(int[])]);
            var il = method.GetILGenerator();
            for (var i = 0; i < fields.Length; i++)
            {
                il.Emit(OpCodes.Ldarg_2);
                il.Emit(OpCodes.Ldc_I4, i);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Castclass, type);
                il.Emit(OpCodes.Ldflda, fields[i]);
                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Sub);
                il.Emit(OpCodes.Conv_I4);
                il.Emit(OpCodes.Stelem_I4);
            }
            il.Emit(OpCodes.Ret);
            ((ClassOffsets)method.CreateDelegate(typeof(ClassOffsets)))(target, ref Data(target), offsets);
        }
        return offsets;
    }

    /// <summary>The bytes one element of an array of <paramref name="element"/> takes.</summary>
    internal static int Stride(Type element)
    {
        if (!element.IsValueType) return IntPtr.Size; // a reference or a pointer
        var method = Method("stride", typeof(int), []);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Sizeof, element);
        il.Emit(OpCodes.Ret);
        return ((Func<int>)method.CreateDelegate(typeof(Func<int>)))();
    }

    internal static Boxer BoxerOf(Type valueType)
    {
        var method = Method("box", typeof(object), [typeof(byte).MakeByRefType()]);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldobj, valueType);
        il.Emit(OpCodes.Box, valueType);
        il.Emit(OpCodes.Ret);
        return (Boxer)method.CreateDelegate(typeof(Boxer));
    }

    private static DynamicMethod Method(string name, Type returns, Type[] parameters) =>
        new(name, returns, parameters, typeof(Layout).Module, skipVisibility: true);
}
