using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

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
