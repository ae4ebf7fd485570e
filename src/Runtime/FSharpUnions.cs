using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace CodeTracer.Runtime;

/// <summary>
/// F# unions recognised from their <c>CompilationMapping</c> attribute data (no attribute
/// constructor runs, and the runtime needs no reference to FSharp.Core).
/// </summary>
internal static class FSharpUnions
{
    private const string CompilationMapping = "Microsoft.FSharp.Core.CompilationMappingAttribute";

    // SourceConstructFlags: SumType = 1, UnionCase = 8; the kind is the low 5 bits.
    private static int MappingKind(MemberInfo m, out int index)
    {
        index = -1;
        foreach (var a in m.GetCustomAttributesData())
        {
            if (a.AttributeType.FullName != CompilationMapping || a.ConstructorArguments.Count == 0) continue;
            var flags = Convert.ToInt32(a.ConstructorArguments[0].Value);
            if (a.ConstructorArguments.Count > 1 && a.ConstructorArguments[1].Value is int i) index = i;
            return flags & 31;
        }
        return -1;
    }

    /// <summary>The F# union type a runtime type is (or is a case class of), else null.</summary>
    internal static Type? UnionType(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            if (MappingKind(t, out _) == 1) return t;
        return null;
    }

    /// <summary>The union's case names by tag; <paramref name="withFields"/>: the cases that have fields.</summary>
    internal static string[] CaseNames(Type union, out List<string> withFields)
    {
        var names = new SortedDictionary<int, string>();
        withFields = new List<string>();
        foreach (var m in union.GetMembers(BindingFlags.Public | BindingFlags.Static))
        {
            if (MappingKind(m, out var index) != 8 || index < 0) continue;
            var name = m is MethodInfo mi && mi.Name.StartsWith("New", StringComparison.Ordinal) ? mi.Name.Substring(3) : m.Name.StartsWith("get_", StringComparison.Ordinal) ? m.Name.Substring(4) : m.Name;
            names[index] = name;
            if (m is MethodInfo { IsSpecialName: false }) withFields.Add(name);
        }
        var byTag = new string[names.Count == 0 ? 0 : names.Keys.Max() + 1];
        foreach (var (i, n) in names) byTag[i] = n;
        return byTag;
    }

    /// <summary>
    /// The fields of case <paramref name="tag"/> of a struct union (which holds every case's), in
    /// order: those behind the properties its <c>CompilationMapping(Field, case, index)</c> marks
    /// (property <c>radius</c> is field <c>_radius</c>, <c>Item2</c> is <c>item2</c>).
    /// </summary>
    internal static List<FieldInfo> CaseFields(Type union, int tag, List<FieldInfo> fields)
    {
        var found = new SortedDictionary<int, FieldInfo>();
        foreach (var p in union.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            foreach (var a in p.GetCustomAttributesData())
            {
                if (a.AttributeType.FullName != CompilationMapping || a.ConstructorArguments.Count != 3) continue;
                if ((Convert.ToInt32(a.ConstructorArguments[0].Value) & 31) != 4 || a.ConstructorArguments[1].Value is not int c || c != tag) continue;
                var backing = fields.Find(f => f.Name == "_" + p.Name)
                    ?? fields.Find(f => f.Name == char.ToLowerInvariant(p.Name[0]) + p.Name.Substring(1));
                if (backing is not null && a.ConstructorArguments[2].Value is int index) found[index] = backing;
            }
        return new List<FieldInfo>(found.Values);
    }

    /// <summary>The case of a union type without a tag field: its case class's, or the one case there is.</summary>
    internal static string CaseName(Type type, Type union, string[] caseNames, List<string> withFields)
    {
        if (union.IsGenericType && union.GetGenericTypeDefinition().FullName == "Microsoft.FSharp.Core.FSharpOption`1")
            return "Some"; // None is null
        if (type != union && type.DeclaringType == union) return type.Name.TrimStart('_');
        if (caseNames.Length == 1) return caseNames[0];
        if (withFields.Count == 1) return withFields[0]; // the non-null case of an option-like union
        return type.Name;
    }
}

/// <summary>
/// An F# union case (an option's Some included): a Variant of the union's type, the case's
/// name and its fields. A case whose fields the user named (<c>Sphere of center * radius</c>)
/// holds a Struct of them under those names (a Struct type per case, <c>Shape+Sphere</c>);
/// one with unnamed fields (<c>Item1</c>…) and the cases of FSharp.Core's own unions (<c>Some</c>,
/// <c>Ok</c>, <c>Choice1Of2</c>) hold their values as they are. A struct union holds every case's
/// fields in one struct: only the case's own are written.
/// </summary>
internal sealed class UnionWriter : CompositeWriter
{
    private sealed class Case(string name, FieldSet fields, TypeRef? named)
    {
        internal readonly string Name = name;
        internal readonly FieldSet Fields = fields;

        /// <summary>The Struct type of a case with named fields, else null.</summary>
        internal readonly TypeRef? Named = named;
    }

    private readonly TypeRef _union;

    /// <summary>The cases by tag, read from the tag field at <see cref="_tagAt"/>; or the one case a tagless type is (<see cref="_tagAt"/> -1).</summary>
    private readonly Case?[] _cases;
    private readonly int _tagAt = -1;

    internal UnionWriter(Type type, Type union, object? sample) : base(type)
    {
        _union = TypeRef.Of(union);
        var caseNames = FSharpUnions.CaseNames(union, out var withFields);
        var userNames = union.Assembly.GetName().Name != "FSharp.Core";
        var fields = FieldSet.AllFields(type);
        var tag = fields.Find(f => f.Name == "_tag" && f.FieldType == typeof(int));
        fields.RemoveAll(f => f.Name == "_tag");
        if (tag is not null) _tagAt = Layout.Offsets(type, [tag], sample)[0];
        if (type.IsValueType && tag is not null)
        {
            _cases = new Case?[caseNames.Length];
            for (var i = 0; i < caseNames.Length; i++)
                _cases[i] = Build(union, caseNames[i], Fields(type, FSharpUnions.CaseFields(type, i, fields), sample), userNames);
            return;
        }
        // A class: the case class (or the union's one case) holds exactly its case's fields.
        var own = Fields(type, fields, sample);
        if (tag is null) _cases = [Build(union, FSharpUnions.CaseName(type, union, caseNames, withFields), own, userNames)];
        else _cases = Array.ConvertAll(caseNames, name => (Case?)Build(union, name, own, userNames));
    }

    // `_radius` backs the named field `radius`, `item1` the unnamed `Item1`: the names field patterns see.
    private static FieldSet Fields(Type type, List<FieldInfo> fields, object? sample) =>
        new(type, fields, fields.ConvertAll(f => f.Name.StartsWith('_') ? f.Name.Substring(1) : char.ToUpperInvariant(f.Name[0]) + f.Name.Substring(1)).ToArray(), sample);

    private static Case Build(Type union, string name, FieldSet fields, bool userNames) =>
        new(name, fields, userNames && fields.Named ? TypeRef.Of(union.FullName + "+" + name) : null);

    protected override void WriteParts(ThreadBuffer b, object value, int depth) => WritePartsAt(b, ref Layout.Data(value), depth);

    protected override void WritePartsAt(ThreadBuffer b, ref byte data, int depth)
    {
        Case? c;
        string caseName;
        if (_tagAt < 0) caseName = (c = _cases[0])!.Name;
        else
        {
            var tag = Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref data, _tagAt));
            c = tag >= 0 && tag < _cases.Length ? _cases[tag] : null;
            caseName = c?.Name ?? tag.ToString();
        }
        b.TagI32(Tags.Variant, b.Types.Id(b, _union)); // the union's type, not its case class
        b.FullText(caseName);
        if (c is null) { b.I32(0); return; }
        if (c.Named is not { } named) { c.Fields.Write(b, ref data, depth, filtered: true); return; }
        b.I32(1);
        var id = b.Types.Id(b, named);
        if (b.Types.FirstFields(named))
        {
            b.TagI32(Tags.FieldsDef, id);
            b.I32(c.Fields.Count);
            foreach (var name in c.Fields.Names) b.FullText(name);
        }
        b.TagI32(Tags.Struct, id);
        c.Fields.Write(b, ref data, depth, filtered: true);
    }
}
