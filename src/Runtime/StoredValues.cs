using System;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// How a value stored in a field or an array element is read, from the type it is
/// declared with: a reference is written by its runtime type's writer; a value type's
/// writer is known beforehand and reads it in place.
/// </summary>
internal abstract class Stored
{
    internal static Stored For(Type declared)
    {
        if (declared.IsPointer) return new StoredValue(Writers.For(typeof(Pointer), null)); // what reflection boxes a pointer as
        if (declared.IsFunctionPointer) return new StoredValue(Writers.For(typeof(IntPtr), null));
        if (!declared.IsValueType) return new StoredReference();
        if (Nullable.GetUnderlyingType(declared) is { } inner) return new StoredNullable(declared, Writers.For(inner, null));
        return new StoredValue(Writers.For(declared, null));
    }

    /// <summary>The value at <paramref name="at"/>, as a part of a value (<paramref name="depth"/> is its own).</summary>
    internal abstract void Write(ThreadBuffer b, ref byte at, int depth);

    /// <summary>The value at <paramref name="at"/>, as an element of a sequence.</summary>
    internal abstract void WriteItem(ThreadBuffer b, ref byte at, int depth);
}

internal sealed class StoredReference : Stored
{
    /// <summary>The writer of the runtime type met here last (threads may overwrite it: it is checked at each use).</summary>
    private ValueWriter? _last;

    internal override void Write(ThreadBuffer b, ref byte at, int depth) =>
        ObjectWriter.WriteChild(b, Unsafe.As<byte, object?>(ref at), depth, ref _last, item: false);

    internal override void WriteItem(ThreadBuffer b, ref byte at, int depth) =>
        ObjectWriter.WriteChild(b, Unsafe.As<byte, object?>(ref at), depth, ref _last, item: true);
}

internal sealed class StoredValue(ValueWriter writer) : Stored
{
    internal override void Write(ThreadBuffer b, ref byte at, int depth) => writer.WriteAt(b, ref at, depth);

    internal override void WriteItem(ThreadBuffer b, ref byte at, int depth) => writer.WriteItemAt(b, ref at, depth);
}

/// <summary>A <c>Nullable&lt;T&gt;</c>: null without a value (as reflection boxes it), else its value.</summary>
internal sealed class StoredNullable : Stored
{
    private readonly ValueWriter _value;
    private readonly int _hasValueAt, _valueAt;

    internal StoredNullable(Type nullable, ValueWriter value)
    {
        _value = value;
        var offsets = Layout.Offsets(nullable, [Walker.Field(nullable, "hasValue"), Walker.Field(nullable, "value")], null);
        _hasValueAt = offsets[0];
        _valueAt = offsets[1];
    }

    internal override void Write(ThreadBuffer b, ref byte at, int depth)
    {
        if (Unsafe.Add(ref at, _hasValueAt) == 0) b.Tag(Tags.Null);
        else _value.WriteAt(b, ref Unsafe.Add(ref at, _valueAt), depth);
    }

    internal override void WriteItem(ThreadBuffer b, ref byte at, int depth)
    {
        if (Unsafe.Add(ref at, _hasValueAt) == 0) b.Tag(Tags.Null);
        else _value.WriteItemAt(b, ref Unsafe.Add(ref at, _valueAt), depth);
    }
}
