using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// Writes a boxed or reference value without running user code: no ToString, no
/// property getter, no enumerator of an unknown collection. Each runtime type has a
/// <see cref="ValueWriter"/>, built once (<see cref="Writers"/>), that reads its values in
/// place: fields at their offsets, the internal fields of the well-known collections (a
/// <see cref="Walker"/>), the invariant text of a few platform value types
/// (<see cref="Formats"/>), or nothing (a Raw naming the type).
/// </summary>
internal static class ObjectWriter
{
    internal static void Write(ThreadBuffer b, object? value, int depth)
    {
        if (depth == 0) b.Types.Path.Clear();
        ValueWriter? writer = null;
        WriteChild(b, value, depth, ref writer, item: false);
    }

    /// <summary>
    /// A value found in a reference: null, a string, or a value of its runtime type's writer.
    /// <paramref name="last"/> is the writer the caller used last: a field or a sequence mostly
    /// holds values of one type, so the type's writer is found without a lookup.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void WriteChild(ThreadBuffer b, object? value, int depth, ref ValueWriter? last, bool item)
    {
        if (value is null) { b.Tag(Tags.Null); return; }
        if (value is string s)
        {
            b.Tag(Tags.String);
            b.Text(s);
            return;
        }
        var type = value.GetType();
        var writer = last;
        if (writer is null || !ReferenceEquals(writer.Type, type)) last = writer = Writers.For(type, value);
        if (item) writer.WriteItem(b, value, depth);
        else writer.Write(b, value, depth);
    }
}
