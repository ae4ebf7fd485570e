using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// What the F# compiler generates for closures: a class deriving from <c>FSharpFunc</c>
/// whose <c>Invoke</c> is the body, nested in the module or type of the function that
/// creates it, or for an inner function capturing nothing a static method beside it.
/// Both are named <c>name@line</c>: an inner function's or bound lambda's name
/// (<c>addOffset@22</c>), for an anonymous lambda <c>clo</c>, the enclosing function's
/// name or a description (<c>Pipe #1 stage #1 at line 25@25</c>). The user method is
/// the one whose code creates (or calls) it, found in the IL.
/// </summary>
internal static partial class GeneratedCode
{
    [GeneratedRegex(@"^(?<name>.+?)@\d+(-\d+)*$")]
    private static partial Regex FSharpName();

    [GeneratedRegex(@"^[\p{L}_][\p{L}\p{N}_']*$")]
    private static partial Regex Identifier();

    /// <summary>Per user type: each F# closure class or lifted function to the method whose code first creates or calls it.</summary>
    private static readonly ConditionalWeakTable<TypeDefinition, Dictionary<IMemberDefinition, MethodDefinition>> Creators = new();

    /// <summary>An F# closure class: an F# generated name and an <c>FSharpFunc</c> base.</summary>
    public static bool IsFSharpClosure(TypeDefinition type) =>
        type.BaseType is { } baseType
        && (baseType is GenericInstanceType g ? g.ElementType : baseType).FullName is var name
        && (name.StartsWith("Microsoft.FSharp.Core.FSharpFunc`", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.FSharp.Core.OptimizedClosures/FSharpFunc`", StringComparison.Ordinal))
        && FSharpName().IsMatch(type.Name);

    /// <summary>The origin of an F# closure's <c>Invoke</c> or lifted inner function, or null.</summary>
    private static Origin? FSharpOriginOf(MethodDefinition method)
    {
        IMemberDefinition body;
        string generated;
        if (method.Name == "Invoke" && IsFSharpClosure(method.DeclaringType)) (body, generated) = (method.DeclaringType, method.DeclaringType.Name);
        else if (method.IsStatic && FSharpName().IsMatch(method.Name)) (body, generated) = (method, method.Name);
        else return null;
        var userType = method.DeclaringType;
        while (IsFSharpClosure(userType) && userType.DeclaringType is not null) userType = userType.DeclaringType;
        if (UserMethodOf(body, userType) is not { } user) return null;
        var name = FSharpName().Match(generated).Groups["name"].Value;
        var named = Identifier().IsMatch(name) && name != "clo" && name != user.Name;
        return new Origin(userType, user.Name, named ? name : null);
    }

    /// <summary>The user method that creates a closure, through the closures that create it in turn.</summary>
    private static MethodDefinition? UserMethodOf(IMemberDefinition body, TypeDefinition userType)
    {
        var creators = Creators.GetValue(userType, FindCreators);
        for (var hops = 0; hops < 64 && creators.TryGetValue(body, out var creator); hops++)
        {
            if (creator.Name == "Invoke" && IsFSharpClosure(creator.DeclaringType)) body = creator.DeclaringType;
            else if (creator.IsStatic && FSharpName().IsMatch(creator.Name)) body = creator;
            else return creator;
        }
        return null;
    }

    private static Dictionary<IMemberDefinition, MethodDefinition> FindCreators(TypeDefinition userType)
    {
        var creators = new Dictionary<IMemberDefinition, MethodDefinition>();
        void Scan(TypeDefinition type)
        {
            foreach (var method in type.Methods.Where(m => m.HasBody))
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is not MethodReference reference) continue;
                    IMemberDefinition? created =
                        instruction.OpCode == OpCodes.Newobj && reference.DeclaringType.Name.Contains('@') ? reference.DeclaringType.Resolve()
                        : reference.Name.Contains('@') ? reference.Resolve()
                        : null;
                    if (created is not null) creators.TryAdd(created, method);
                }
            foreach (var nested in type.NestedTypes) Scan(nested);
        }
        Scan(userType);
        return creators;
    }

    /// <summary>The anonymous F# lambdas of a user type with the user method of each, for numbering.</summary>
    private static IEnumerable<(MethodDefinition Method, string Outer)> FSharpLambdas(TypeDefinition userType)
    {
        var bodies = userType.Methods.Concat(userType.NestedTypes.Where(IsFSharpClosure).SelectMany(t => t.Methods));
        foreach (var method in bodies)
            if (FSharpOriginOf(method) is { LocalFunction: null } origin) yield return (method, origin.UserMethod);
    }
}
