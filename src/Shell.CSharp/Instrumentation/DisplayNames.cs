using CodeTracer.Core.Recording;
using Microsoft.FSharp.Collections;
using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// Display names of Cecil types and methods as the recorder shows them: C# keywords,
/// <c>List&lt;int&gt;</c>, nested types joined with <c>.</c>, methods like .NET stack
/// traces (<c>Shop.Cart.Add(string, decimal, int)</c>). The naming rules themselves
/// (keywords, namespaces, arity suffixes) are Core's <see cref="TypeNames"/>; this class
/// only walks Cecil's type shapes.
/// </summary>
internal static class DisplayNames
{
    /// <summary>A type as C# writes it: <c>int</c>, <c>List&lt;int&gt;</c>, <c>int[,]</c>, <c>ref int</c>, <c>Shop.Repo&lt;T&gt;</c>.</summary>
    public static string OfType(TypeReference type) => type switch
    {
        ByReferenceType byRef => "ref " + OfType(byRef.ElementType),
        PointerType pointer => OfType(pointer.ElementType) + "*",
        ArrayType array => OfArray(array),
        RequiredModifierType or OptionalModifierType or PinnedType or SentinelType => OfType(((TypeSpecification)type).ElementType),
        FunctionPointerType => "delegate*",
        GenericParameter parameter => parameter.Name,
        GenericInstanceType instance => Named(instance.ElementType, instance.GenericArguments.Select(OfType).ToList()),
        _ => Named(type, type.GenericParameters.Select(p => p.Name).ToList()),
    };

    /// <summary>
    /// A method as a stack trace shows it, with C# type names:
    /// <c>Shop.Cart.Add(string, decimal, int)</c>, <c>Shop.Cart..ctor()</c>, <c>Demo.Program.Echo&lt;T&gt;(T)</c>.
    /// </summary>
    /// Compiler-generated bodies carry their user's names: an async or iterator <c>MoveNext</c>
    /// its kickoff method's, a lambda <c>Shop.Cart.Total.&lt;lambda 1&gt;</c> (numbered in source
    /// order within its method), a local function <c>Shop.Cart.Total.Round(int)</c> (closure
    /// parameters left out). F# closures, inner functions, object expressions and <c>seq</c>,
    /// <c>task</c>, <c>async</c> expressions likewise (<see cref="GeneratedCode"/>), a module's
    /// static initializer <c>MiniLisp.Eval.&lt;module init&gt;()</c>.
    public static string OfMethod(MethodDefinition method)
    {
        if (GeneratedCode.KickoffOf(method) is { } kickoff) return OfMethod(kickoff);
        if (GeneratedCode.IsModuleInitializer(method))
            return (GeneratedCode.ModuleOf(method.DeclaringType) is { } module ? OfType(module) : GeneratedCode.InitializedName(method.DeclaringType))
                + "." + GeneratedCode.ModuleInit + "()";
        if (GeneratedCode.OriginOf(method) is { } origin)
        {
            if (origin.ShownAs is { } user) return OfMethod(user);
            var owner = OfType(origin.UserType) + "." + origin.UserMethod;
            if (origin.LocalFunction is null && origin.Member is null) return owner + ".<lambda " + GeneratedCode.LambdaNumber(method, origin) + ">";
            var shown = origin.Parameters ? method.Parameters.Where(p => !GeneratedCode.IsDisplayClass(p.ParameterType)) : [];
            var inner = origin.LocalFunction is { } local ? (origin.Member is { } m ? local + "." + m : local) : origin.Member;
            return owner + "." + inner + "(" + string.Join(", ", shown.Select(OfParameter)) + ")";
        }
        var name = OfType(method.DeclaringType) + "." + GeneratedCode.SourceName(method.Name);
        if (method.HasGenericParameters)
            name = TypeNames.generic(name, ListModule.OfSeq(method.GenericParameters.Select(p => p.Name)));
        return name + "(" + string.Join(", ", method.Parameters.Select(OfParameter)) + ")";
    }

    /// <summary>A parameter's type with its C# passing mode: <c>ref int</c>, <c>out int</c>, <c>in Point</c>.</summary>
    public static string OfParameter(ParameterDefinition parameter)
    {
        var type = Modifiers.Strip(parameter.ParameterType);
        if (type is not ByReferenceType byRef) return OfType(type);
        var mode = parameter.IsOut && !parameter.IsIn ? "out " : parameter.IsIn && !parameter.IsOut ? "in " : "ref ";
        return mode + OfType(byRef.ElementType);
    }

    // C# writes the outermost array's brackets first: int[][,] is an array of int[,]
    // (reflection writes it Int32[,][]).
    private static string OfArray(ArrayType array)
    {
        var brackets = "";
        TypeReference element = array;
        for (; element is ArrayType level; element = level.ElementType)
            brackets += "[" + new string(',', level.Rank - 1) + "]";
        return OfType(element) + brackets;
    }

    // Metadata lists every enclosing type's arguments on the innermost type:
    // Outer`1/Inner`1<A, B> is Outer<A>.Inner<B>. Each level takes as many as its
    // arity suffix says; the innermost takes the rest.
    private static string Named(TypeReference type, IReadOnlyList<string> args)
    {
        var used = 0;
        return Level(type, args, ref used, innermost: true);
    }

    private static string Level(TypeReference type, IReadOnlyList<string> args, ref int used, bool innermost)
    {
        string name;
        if (type.DeclaringType is { } outer)
            name = Level(outer, args, ref used, innermost: false) + "." + TypeNames.simple(type.Name);
        else
            name = TypeNames.simple(type.Namespace.Length == 0 ? type.Name : type.Namespace + "." + type.Name);

        var count = innermost ? args.Count - used : Math.Min(Arity(type.Name), args.Count - used);
        var mine = args.Skip(used).Take(count).ToList();
        used += mine.Count;
        return TypeNames.generic(name, ListModule.OfSeq(mine));
    }

    private static int Arity(string metadataName)
    {
        var tick = metadataName.LastIndexOf('`');
        return tick >= 0 && int.TryParse(metadataName.AsSpan(tick + 1), out var arity) ? arity : 0;
    }
}
