using System;

namespace CodeTracer.Runtime;

/// <summary>
/// Writes the values of one runtime type; built once per type (<see cref="Writers"/>) and
/// shared by all threads. A value comes boxed or as a reference (<see cref="Write"/>), or,
/// for a value type, in place where it is stored: a field or an array element
/// (<see cref="WriteAt"/>), so that it is read without being boxed. A sequence's element
/// is written by the <c>Item</c> variants: a primitive without its Boxed wrapper (the
/// sequence's type names it).
/// </summary>
internal abstract class ValueWriter(Type type)
{
    internal readonly Type Type = type;

    /// <summary>The type the records name.</summary>
    internal readonly TypeRef Own = TypeRef.Of(type);

    private Layout.Boxer? _boxer;

    internal abstract void Write(ThreadBuffer b, object value, int depth);

    internal virtual void WriteItem(ThreadBuffer b, object value, int depth) => Write(b, value, depth);

    /// <summary>A value of this value type stored at <paramref name="data"/>; boxed unless the writer reads it in place.</summary>
    internal virtual void WriteAt(ThreadBuffer b, ref byte data, int depth) => Write(b, Box(ref data), depth);

    internal virtual void WriteItemAt(ThreadBuffer b, ref byte data, int depth) => WriteAt(b, ref data, depth);

    /// <summary>The value at <paramref name="data"/>, boxed (a writer that needs the object: a formatter, a walker).</summary>
    protected object Box(ref byte data) => (_boxer ??= Layout.BoxerOf(Type))(ref data);

    protected int TypeId(ThreadBuffer b) => b.Types.Id(b, Own);

    /// <summary>A Raw with a text: the value's type, then the text.</summary>
    protected void RawText(ThreadBuffer b, string text)
    {
        b.TagI32(Tags.RawText, TypeId(b));
        b.FullText(text);
    }
}

/// <summary>A value with parts: cut at max_depth and, a reference, at an object already on the path (a cycle).</summary>
internal abstract class CompositeWriter(Type type) : ValueWriter(type)
{
    private readonly bool _reference = !type.IsValueType;

    internal sealed override void Write(ThreadBuffer b, object value, int depth)
    {
        if (depth >= Limits.MaxDepth) { RawText(b, "<depth limit>"); return; }
        if (!_reference) { WriteParts(b, value, depth); return; }
        var path = b.Types.Path;
        foreach (var seen in path)
            if (ReferenceEquals(seen, value)) { RawText(b, "<cycle>"); return; }
        // No finally: a value that fails is abandoned, and the next one starts with an empty path.
        path.Add(value);
        WriteParts(b, value, depth);
        path.RemoveAt(path.Count - 1);
    }

    internal sealed override void WriteAt(ThreadBuffer b, ref byte data, int depth)
    {
        if (depth >= Limits.MaxDepth) { RawText(b, "<depth limit>"); return; }
        WritePartsAt(b, ref data, depth);
    }

    protected abstract void WriteParts(ThreadBuffer b, object value, int depth);

    /// <summary>A value type's parts where it is stored; boxed unless the writer reads them in place.</summary>
    protected virtual void WritePartsAt(ThreadBuffer b, ref byte data, int depth) => WriteParts(b, Box(ref data), depth);
}
