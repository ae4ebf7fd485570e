using CodeTracer.Core.TraceFilter;
using Microsoft.FSharp.Collections;
using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>The filter's action for one value of a method: its kind, its source name, its declared type.</summary>
internal delegate ValueAction ValueFilter(ValueKind kind, string name, TypeReference type);

/// <summary>
/// A method's values as value selectors see them (Core's <see cref="ValueSubject"/>): the
/// name glob, regex and literal patterns match, the name <c>words</c> patterns judge, and
/// whether the type is text. A property setter's <c>value</c> is judged by its property's
/// name and a return value by its method's own name (a getter's: its property's), never by
/// its type or namespace.
/// </summary>
internal static class ValueSubjects
{
    /// <param name="qualified">The method's <c>Namespace.Type.Method</c>, what <c>ret:</c> globs match.</param>
    public static ValueSubject Of(MethodDefinition method, string qualified, ValueKind kind, string name, TypeReference type)
    {
        var isText = FilterApi.IsText(ShapeOf(type));
        if (kind.IsRet) return new ValueSubject(qualified, OwnName(method), isText);
        if (kind.IsArg && name == "value" && method.IsSetter && PropertyOf(method) is { } property)
            return new ValueSubject(name, Unqualified(property.Name), isText);
        return new ValueSubject(name, name, isText);
    }

    /// <summary>
    /// The name a person gave the method: a property's for an accessor, the user method's
    /// or local function's for an async, iterator, lambda or local function body; without
    /// the interface of an explicit implementation.
    /// </summary>
    public static string OwnName(MethodDefinition method)
    {
        var user = GeneratedCode.KickoffOf(method) ?? method;
        if ((user.IsGetter || user.IsSetter) && PropertyOf(user) is { } property) return Unqualified(property.Name);
        var origin = GeneratedCode.OriginOf(user);
        return Unqualified(origin?.Member ?? origin?.LocalFunction ?? origin?.UserMethod ?? user.Name);
    }

    /// <summary>The shape Core's <c>TextTypes.isText</c> judges: arrays, generic instances and their arguments.</summary>
    public static TypeShape ShapeOf(TypeReference type) => Modifiers.Strip(type) switch
    {
        ByReferenceType byRef => ShapeOf(byRef.ElementType),
        ArrayType array => TypeShape.NewArrayOf(ShapeOf(array.ElementType)),
        GenericInstanceType generic => TypeShape.NewNamed(generic.ElementType.FullName, ListModule.OfSeq(generic.GenericArguments.Select(ShapeOf))),
        var other => TypeShape.NewNamed(other.FullName, FSharpList<TypeShape>.Empty),
    };

    private static PropertyDefinition? PropertyOf(MethodDefinition accessor) =>
        accessor.DeclaringType.Properties.FirstOrDefault(p => p.GetMethod == accessor || p.SetMethod == accessor);

    private static string Unqualified(string name) => name.LastIndexOf('.') is var dot and >= 0 ? name[(dot + 1)..] : name;
}
