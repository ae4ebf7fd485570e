using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// What the C# compiler generates for lambdas, local functions, closures, async methods
/// and iterators, read back from its naming conventions (Roslyn's generated-name scheme:
/// <c>&lt;Total&gt;b__1_0</c> a lambda of <c>Total</c>, <c>&lt;Total&gt;g__Round|1_2</c> its local
/// function <c>Round</c>, <c>&lt;&gt;c__DisplayClass1_0</c> a closure, <c>&lt;Total&gt;d__3</c> a
/// state machine, <c>&lt;x&gt;5__2</c> a hoisted local) and from the symbols (the kickoff method
/// of a state machine), so that the recorder can show the user's names instead.
/// </summary>
internal static partial class GeneratedCode
{
    /// <summary>Where a lambda or local function comes from.</summary>
    /// <param name="UserType">The first enclosing type the user wrote.</param>
    /// <param name="UserMethod">The metadata name of the user method that contains it (<c>Total</c>, <c>.ctor</c>).</param>
    /// <param name="LocalFunction">The local function's name; null for a lambda.</param>
    /// <param name="Body">An F# body: its closure class or lifted function (what F# lambdas are numbered by); null for C#.</param>
    /// <param name="ShownAs">The user method an F# <c>task</c>/<c>async</c> piece or <c>seq</c> is shown as, like a C# async method's body.</param>
    /// <param name="Member">An F# object expression's member (<c>Check</c>), shown after its function.</param>
    /// <param name="Parameters">Whether the method's parameters are the user's (not a <c>seq</c>'s <c>GenerateNext(ref next)</c>).</param>
    internal sealed record Origin(
        TypeDefinition UserType, string UserMethod, string? LocalFunction,
        IMemberDefinition? Body = null, MethodDefinition? ShownAs = null, string? Member = null, bool Parameters = true);

    [GeneratedRegex(@"^<(?<outer>.+)>(?<kind>[bg])__(?<rest>.+)$")]
    private static partial Regex LambdaName();

    [GeneratedRegex(@"^<(?<name>[^<>]+)>5__\d+$")]
    private static partial Regex HoistedLocalName();

    private static readonly ConditionalWeakTable<TypeDefinition, Dictionary<MethodDefinition, int>> LambdaNumbers = new();

    /// <summary>A type the compiler made (its name starts with <c>&lt;</c>).</summary>
    public static bool IsGenerated(TypeReference type) => type.Name.StartsWith('<');

    /// <summary>A closure class or struct: its fields are captured variables.</summary>
    public static bool IsDisplayClass(TypeReference type) =>
        Modifiers.Strip(type) is var t && (t is ByReferenceType r ? r.ElementType : t).Name.StartsWith("<>c__DisplayClass", StringComparison.Ordinal);

    /// <summary>The source name of a hoisted local field (<c>&lt;x&gt;5__2</c> → <c>x</c>), or null.</summary>
    public static string? HoistedLocal(string fieldName) =>
        HoistedLocalName().Match(fieldName) is { Success: true } m ? m.Groups["name"].Value : null;

    /// <summary>The field that holds the enclosing object in a closure or state machine.</summary>
    public const string ThisField = "<>4__this";

    /// <summary>
    /// The user's method whose body a state machine's <c>MoveNext</c> runs (async method,
    /// iterator, async iterator; an F# <c>seq</c>'s <c>GenerateNext</c>), or null when <paramref name="method"/> is not one. An
    /// iterator's <c>finally</c> blocks (<c>&lt;&gt;m__Finally1</c>) belong to it too.
    /// </summary>
    public static MethodDefinition? KickoffOf(MethodDefinition method)
    {
        if (FSharpSequenceOwner(method) is { } owner) return owner;
        if (!IsGenerated(method.DeclaringType) || method.DeclaringType.DeclaringType is not { } outer) return null;
        if (method.Name.StartsWith("<>m__Finally", StringComparison.Ordinal))
            return method.DeclaringType.Methods.FirstOrDefault(m => m.Name == "MoveNext") is { } moveNext ? KickoffOf(moveNext) : null;
        if (method.Name != "MoveNext") return null;
        if (method.DebugInformation?.StateMachineKickOffMethod is { } known) return known;
        foreach (var candidate in outer.Methods)
            foreach (var attribute in candidate.CustomAttributes)
                if (attribute.AttributeType.Name is "AsyncStateMachineAttribute" or "IteratorStateMachineAttribute" or "AsyncIteratorStateMachineAttribute"
                    && attribute.ConstructorArguments.Count == 1
                    && attribute.ConstructorArguments[0].Value is TypeReference machine
                    && machine.Name == method.DeclaringType.Name)
                    return candidate;
        return null;
    }

    /// <summary>The origin of a lambda or local function body (C# or F#), or null for any other method.</summary>
    public static Origin? OriginOf(MethodDefinition method)
    {
        var match = LambdaName().Match(method.Name);
        if (!match.Success) return FSharpOriginOf(method);
        var userType = method.DeclaringType;
        while (IsGenerated(userType) && userType.DeclaringType is not null) userType = userType.DeclaringType;
        var local = match.Groups["kind"].Value == "g" ? match.Groups["rest"].Value.Split('|')[0] : null;
        return new Origin(userType, match.Groups["outer"].Value, local);
    }

    /// <summary>
    /// The number of a lambda among the lambdas of its user method, from 1, in source order
    /// (by the line and column of its first sequence point).
    /// </summary>
    public static int LambdaNumber(MethodDefinition lambda, Origin origin)
    {
        if (origin.Body is { } body) return FSharpLambdaNumber(body, lambda.Module);
        var numbers = LambdaNumbers.GetValue(origin.UserType, Number);
        return numbers.TryGetValue(lambda, out var n) ? n : 0;
    }

    private static Dictionary<MethodDefinition, int> Number(TypeDefinition userType)
    {
        var lambdas = new List<(MethodDefinition Method, string Outer)>();
        void Collect(TypeDefinition type)
        {
            foreach (var method in type.Methods)
                if (LambdaName().Match(method.Name) is { Success: true } m && m.Groups["kind"].Value == "b")
                    lambdas.Add((method, m.Groups["outer"].Value));
            foreach (var nested in type.NestedTypes.Where(IsGenerated)) Collect(nested);
        }
        Collect(userType);

        var numbers = new Dictionary<MethodDefinition, int>();
        foreach (var group in lambdas.GroupBy(l => l.Outer, StringComparer.Ordinal))
        {
            var ordered = group
                .Select(l => l.Method)
                .OrderBy(m => FirstPoint(m).Line)
                .ThenBy(m => FirstPoint(m).Column)
                .ThenBy(m => m.Name, StringComparer.Ordinal)
                .ToList();
            for (var i = 0; i < ordered.Count; i++) numbers[ordered[i]] = i + 1;
        }
        return numbers;
    }

    private static (int Line, int Column) FirstPoint(MethodDefinition method)
    {
        var point = method.DebugInformation?.SequencePoints.FirstOrDefault(p => !p.IsHidden);
        return point is null ? (int.MaxValue, int.MaxValue) : (point.StartLine, point.StartColumn);
    }

    /// <summary>
    /// A field as code inside its declaring type refers to it: on the type instantiated
    /// with its own generic parameters when it is generic.
    /// </summary>
    public static FieldReference InsideOwnType(FieldDefinition field) => On(SelfInstance(field.DeclaringType), field);

    /// <summary>A type as its own code refers to it: instantiated with its own generic parameters when it has any.</summary>
    public static TypeReference SelfInstance(TypeDefinition type)
    {
        if (!type.HasGenericParameters) return type;
        var instance = new GenericInstanceType(type);
        foreach (var parameter in type.GenericParameters) instance.GenericArguments.Add(parameter);
        return instance;
    }

    /// <summary>A field of <paramref name="type"/>, on its instantiation when it is a generic one.</summary>
    public static FieldReference On(TypeReference type, FieldDefinition field) =>
        type is GenericInstanceType ? new FieldReference(field.Name, field.FieldType, type) : field;
}
