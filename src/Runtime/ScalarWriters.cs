using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// A primitive, decimal or Half: Boxed (its type, then its value) where its type is not
/// otherwise known; a primitive element of a sequence is the bare value. Read in place: an
/// int field costs no box.
/// </summary>
internal sealed class PrimitiveWriter(Type type) : ValueWriter(type)
{
    private enum Kind { Bool, Char, Double, Single, Decimal, Half, Unsigned, NativeInt, NativeUInt, SByte, Byte, Int16, UInt16, Int32, UInt32, Int64 }

    private readonly Kind _kind = KindOf(type);

    /// <summary>Half and decimal are no primitives: as elements they keep their Boxed wrapper.</summary>
    private readonly bool _bareItem = type.IsPrimitive;

    private static Kind KindOf(Type type) =>
        type == typeof(IntPtr) ? Kind.NativeInt
        : type == typeof(UIntPtr) ? Kind.NativeUInt
        : type == typeof(Half) ? Kind.Half
        : Type.GetTypeCode(type) switch
        {
            TypeCode.Boolean => Kind.Bool,
            TypeCode.Char => Kind.Char,
            TypeCode.Double => Kind.Double,
            TypeCode.Single => Kind.Single,
            TypeCode.Decimal => Kind.Decimal,
            TypeCode.UInt64 => Kind.Unsigned,
            TypeCode.SByte => Kind.SByte,
            TypeCode.Byte => Kind.Byte,
            TypeCode.Int16 => Kind.Int16,
            TypeCode.UInt16 => Kind.UInt16,
            TypeCode.Int32 => Kind.Int32,
            TypeCode.UInt32 => Kind.UInt32,
            TypeCode.Int64 => Kind.Int64,
            _ => throw new NotSupportedException(type.FullName),
        };

    internal override void Write(ThreadBuffer b, object value, int depth) => WriteAt(b, ref Layout.Data(value), depth);

    internal override void WriteItem(ThreadBuffer b, object value, int depth) => WriteItemAt(b, ref Layout.Data(value), depth);

    internal override void WriteAt(ThreadBuffer b, ref byte data, int depth)
    {
        b.TagI32(Tags.Boxed, TypeId(b));
        WriteBare(b, ref data);
    }

    internal override void WriteItemAt(ThreadBuffer b, ref byte data, int depth)
    {
        if (_bareItem) WriteBare(b, ref data);
        else WriteAt(b, ref data, depth);
    }

    private void WriteBare(ThreadBuffer b, ref byte data)
    {
        switch (_kind)
        {
            case Kind.Bool: b.TagU8(Tags.Bool, data != 0 ? (byte)1 : (byte)0); break;
            case Kind.Char: b.TagU16(Tags.Char, Read<ushort>(ref data)); break;
            case Kind.Double: b.TagI64(Tags.Double, Read<long>(ref data)); break;
            case Kind.Single: b.TagI32(Tags.Single, Read<int>(ref data)); break;
            case Kind.Decimal: b.Decimal(Read<decimal>(ref data)); break;
            case Kind.Half: b.TagI64(Tags.Double, BitConverter.DoubleToInt64Bits((double)Read<Half>(ref data))); break;
            case Kind.Unsigned: b.TagI64(Tags.UInt, Read<long>(ref data)); break;
            case Kind.NativeUInt: b.TagI64(Tags.UInt, unchecked((long)(ulong)Read<nuint>(ref data))); break;
            case Kind.NativeInt: b.TagI64(Tags.Int, Read<nint>(ref data)); break;
            case Kind.SByte: b.TagI64(Tags.Int, Read<sbyte>(ref data)); break;
            case Kind.Byte: b.TagI64(Tags.Int, data); break;
            case Kind.Int16: b.TagI64(Tags.Int, Read<short>(ref data)); break;
            case Kind.UInt16: b.TagI64(Tags.Int, Read<ushort>(ref data)); break;
            case Kind.Int32: b.TagI64(Tags.Int, Read<int>(ref data)); break;
            case Kind.UInt32: b.TagI64(Tags.Int, Read<uint>(ref data)); break;
            default: b.TagI64(Tags.Int, Read<long>(ref data)); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Read<T>(ref byte data) where T : unmanaged => Unsafe.ReadUnaligned<T>(ref data);
}

/// <summary>An enum: its type, its bits and its member names (<c>A | B</c> for flags, else the number).</summary>
internal sealed class EnumWriter(Type type) : ValueWriter(type)
{
    private readonly TypeCode _underlying = Type.GetTypeCode(Enum.GetUnderlyingType(type));

    internal override void Write(ThreadBuffer b, object value, int depth)
    {
        b.TagI32(Tags.Enum, TypeId(b));
        b.I64(Bits(ref Layout.Data(value)));
        b.Text(value.ToString()!); // Enum.ToString is platform code, never user code.
    }

    private long Bits(ref byte data) => _underlying switch
    {
        TypeCode.SByte => Unsafe.ReadUnaligned<sbyte>(ref data),
        TypeCode.Byte or TypeCode.Boolean => data,
        TypeCode.Int16 => Unsafe.ReadUnaligned<short>(ref data),
        TypeCode.UInt16 or TypeCode.Char => Unsafe.ReadUnaligned<ushort>(ref data),
        TypeCode.Int32 => Unsafe.ReadUnaligned<int>(ref data),
        TypeCode.UInt32 => Unsafe.ReadUnaligned<uint>(ref data),
        _ => Unsafe.ReadUnaligned<long>(ref data), // Int64, and UInt64 as its bits
    };
}

/// <summary>BigInteger, Int128, UInt128: a sign and the magnitude's big-endian bytes in base64.</summary>
internal sealed class BigWriter(Type type) : ValueWriter(type)
{
    internal override void Write(ThreadBuffer b, object value, int depth)
    {
        var big = value switch
        {
            BigInteger v => v,
            Int128 v => (BigInteger)v,
            UInt128 v => (BigInteger)v,
            _ => BigInteger.Zero,
        };
        b.TagI32(Tags.BigInt, TypeId(b));
        b.U8(big.Sign < 0 ? (byte)1 : (byte)0);
        b.FullText(Convert.ToBase64String(BigInteger.Abs(big).ToByteArray(isUnsigned: true, isBigEndian: true)));
    }
}

/// <summary>
/// A value that is not read: a Raw naming its type, or <paramref name="shown"/> instead
/// (FSharpFunc for an F# closure class).
/// </summary>
internal sealed class OpaqueWriter(Type type, Type? shown) : ValueWriter(type)
{
    private readonly TypeRef _shown = shown is null ? TypeRef.Of(type) : TypeRef.Of(shown);

    internal override void Write(ThreadBuffer b, object value, int depth) => b.TagI32(Tags.Raw, b.Types.Id(b, _shown));

    internal override void WriteAt(ThreadBuffer b, ref byte data, int depth) => b.TagI32(Tags.Raw, b.Types.Id(b, _shown));
}

/// <summary>A platform value shown as its invariant text (<see cref="Formats"/>).</summary>
internal sealed class FormattedWriter(Type type, Func<object, string> format) : ValueWriter(type)
{
    internal override void Write(ThreadBuffer b, object value, int depth) => RawText(b, format(value));
}

/// <summary>
/// A StringBuilder, shown as the String it holds (its chunk fields mean nothing to a reader),
/// cut at max_string like a string. Copied out of its chunks by the platform's own
/// <c>CopyTo</c>: no string is built, no program code runs (the type is sealed).
/// </summary>
internal sealed class BuilderTextWriter() : ValueWriter(typeof(System.Text.StringBuilder))
{
    internal override void Write(ThreadBuffer b, object value, int depth)
    {
        b.Tag(Tags.String);
        b.Text((System.Text.StringBuilder)value);
    }
}
