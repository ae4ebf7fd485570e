using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// What the F# compiler generates for closures, inner functions, object expressions and
/// <c>seq</c>/<c>task</c>/<c>async</c> expressions: a class nested in the module or type of the
/// function that creates it (an <c>FSharpFunc</c> whose <c>Invoke</c> is the body, an
/// <c>FSharpTypeFunc</c> and its <c>name@lineT</c> class for a generic inner function, a
/// <c>GeneratedSequenceBase</c> whose <c>GenerateNext</c> runs a <c>seq</c>, an object
/// expression's interface members), or, for an inner function capturing nothing, a static
/// method beside it. All are named <c>name@line</c>: an inner function's or bound value's name
/// (<c>addOffset@22</c>), for an anonymous lambda <c>clo</c>, the enclosing function's name or a
/// description (<c>Pipe #1 stage #1 at line 25@25</c>). The user function is the one whose code
/// creates it (a <c>newobj</c>, or for a closure capturing nothing a load of its cached
/// <c>@_instance</c>, which the closure class's own static constructor builds), through the
/// closures that create it in turn. A module's values are built by its file's static
/// initializer (<c>&lt;StartupCode$Asm&gt;.$Ns.Module::.cctor</c>, or <c>main@</c> for the last
/// file): a closure made there belongs to the value stored next.
/// </summary>
internal static partial class GeneratedCode
{
    [GeneratedRegex(@"^(?<name>.+?)@\d+(-\d+)*T?$")]
    private static partial Regex FSharpName();

    [GeneratedRegex(@"^[\p{L}_][\p{L}\p{N}_']*$")]
    private static partial Regex Identifier();

    /// <summary>The shown name of a module's static initializer, and of the owner of the lambdas it runs outside any value.</summary>
    public const string ModuleInit = "<module init>";

    private const string StartupNamespace = "<StartupCode$";

    /// <summary>Per module: each F# closure class or lifted function to the instruction that first creates it outside itself.</summary>
    private static readonly ConditionalWeakTable<ModuleDefinition, Dictionary<IMemberDefinition, (MethodDefinition By, Instruction At)>> Creations = new();

    /// <summary>Per module: the F# anonymous bodies of each user function, numbered in source order.</summary>
    private static readonly ConditionalWeakTable<ModuleDefinition, Dictionary<IMemberDefinition, int>> FSharpLambdaNumbers = new();

    /// <summary>An F# closure class: an F# generated name and an <c>FSharpFunc</c> base.</summary>
    public static bool IsFSharpClosure(TypeDefinition type) =>
        type.BaseType is { } baseType
        && ElementName(baseType) is var name
        && (name.StartsWith("Microsoft.FSharp.Core.FSharpFunc`", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.FSharp.Core.OptimizedClosures/FSharpFunc`", StringComparison.Ordinal))
        && IsFSharpGenerated(type);

    /// <summary>A class the F# compiler made for a closure, object expression or computation: nested, named <c>name@line</c>.</summary>
    private static bool IsFSharpGenerated(TypeDefinition type) => type.DeclaringType is not null && FSharpName().IsMatch(type.Name);

    /// <summary>A <c>seq { }</c>: its class derives from <c>GeneratedSequenceBase</c>.</summary>
    private static bool IsFSharpSequence(TypeDefinition type) =>
        IsFSharpGenerated(type) && type.BaseType is { } b && ElementName(b) == "Microsoft.FSharp.Core.CompilerServices.GeneratedSequenceBase`1";

    private static string ElementName(TypeReference type) => (type is GenericInstanceType g ? g.ElementType : type).FullName;

    /// <summary>The user function a <c>seq { }</c> body is shown as (it has its parameters' names as fields), or null.</summary>
    private static MethodDefinition? FSharpSequenceOwner(MethodDefinition method) =>
        IsFSharpSequence(method.DeclaringType) && FSharpOriginOf(method) is { ShownAs: { } user } ? user : null;

    /// <summary>The generated body a method belongs to: its closure class, or itself when it is a lifted function; else null.</summary>
    private static IMemberDefinition? FSharpBodyOf(MethodDefinition method)
    {
        var type = method.DeclaringType;
        if (IsFSharpGenerated(type))
        {
            while (type.DeclaringType is { } outer && IsFSharpGenerated(outer)) type = outer;
            return type;
        }
        return method.IsStatic && FSharpName().IsMatch(method.Name) ? method : null;
    }

    private static bool IsTypeFunction(IMemberDefinition body) =>
        body is TypeDefinition { BaseType: { } b } && b.FullName == "Microsoft.FSharp.Core.FSharpTypeFunc";

    private static string GeneratedName(IMemberDefinition body) => FSharpName().Match(body.Name).Groups["name"].Value;

    /// <summary>
    /// The origin of a method of an F# closure, object expression, <c>seq</c>, computation
    /// expression or lifted inner function, or null. A <c>seq</c>, <c>task</c> or <c>async</c>
    /// expression bound to nothing (<c>name@line</c> after the function that makes it) is shown as
    /// that function, as C# shows an iterator's or async method's body.
    /// </summary>
    private static Origin? FSharpOriginOf(MethodDefinition method)
    {
        if (FSharpBodyOf(method) is not { } body || !IsBodyMethod(method)) return null;
        var creations = Creations.GetValue(method.Module, FindCreations);
        var names = new List<string>();
        var current = body;
        (MethodDefinition By, Instruction At)? naming = null;
        for (var hops = 0; hops < 64; hops++)
        {
            // A generic inner function's type function (FSharpTypeFunc) makes its closure: one function, one name.
            if (!IsTypeFunction(current)) names.Add(GeneratedName(current));
            if (!creations.TryGetValue(current, out var creation)) return null;
            if (names.Count == 1) naming = creation; // where the innermost function (with its type function) is made
            if (FSharpBodyOf(creation.By) is { } outer)
            {
                current = outer;
                continue;
            }
            return OriginFrom(method, body, names, creation.By, creation.At, naming ?? creation);
        }
        return null;
    }

    /// <summary>The methods of a generated class that hold user code: not its constructors, not a type function's <c>Specialize</c>.</summary>
    private static bool IsBodyMethod(MethodDefinition method) => !method.IsConstructor && method.Name != "Specialize";

    /// <param name="naming">Where the body's own function is made: an inner function is stored in a local of its name there.</param>
    private static Origin OriginFrom(
        MethodDefinition method, IMemberDefinition body, List<string> names, MethodDefinition user, Instruction at, (MethodDefinition By, Instruction At) naming)
    {
        var startup = user.DeclaringType.Namespace.StartsWith(StartupNamespace, StringComparison.Ordinal);
        var userType = startup ? ModuleOf(user.DeclaringType) ?? Outermost(method.DeclaringType) : user.DeclaringType;
        var owner = startup ? ValueStoredAfter(at) ?? ModuleInit : SourceName(user.Name);
        var name = names[0];
        var creator = names.Count > 1 ? names[1] : null;
        var type = body as TypeDefinition;
        var computation = type is not null && (IsFSharpSequence(type) || IsComputation(method));
        if (computation && !startup && names.All(n => n == owner))
            return new Origin(userType, owner, null, body, ShownAs: user);
        // A closure is named after the binding it is in: an inner function (`let lookup name = …`) is
        // the closure stored in that local; a lambda inside a value (`let names = xs |> List.choose (fun …)`) is not.
        var named = Identifier().IsMatch(name) && name != "clo" && name != owner && name != creator
            && (startup || type is null || StoredIn(naming.By, naming.At, name));
        var member = type is not null && !computation && method.Name != "Invoke" ? Unqualified(method.Name) : null;
        var parameters = type is null || !IsFSharpSequence(type);
        return new Origin(userType, owner, named ? name : null, body, Member: member, Parameters: parameters);
    }

    /// <summary>
    /// A piece of a <c>task</c> or <c>async</c> expression: a closure that takes or makes the
    /// builders' resumable code or asyncs, or a compiled state machine's <c>MoveNext</c>.
    /// </summary>
    private static bool IsComputation(MethodDefinition method)
    {
        if (method.Name == "MoveNext" && method.DeclaringType.Interfaces.Any(i => i.InterfaceType.Name == "IAsyncStateMachine")) return true;
        if (method.Name != "Invoke") return false;
        return IsComputationType(method.ReturnType) || method.Parameters.Any(p => IsComputationType(p.ParameterType));
    }

    private static bool IsComputationType(TypeReference type)
    {
        var element = Modifiers.Strip(type) is ByReferenceType r ? r.ElementType : Modifiers.Strip(type);
        return (element is GenericInstanceType g ? g.ElementType : element).FullName
            is "Microsoft.FSharp.Control.FSharpAsync`1" or "Microsoft.FSharp.Control.AsyncReturn" or "Microsoft.FSharp.Control.AsyncActivation`1"
            or "Microsoft.FSharp.Core.CompilerServices.ResumableCode`2" or "Microsoft.FSharp.Core.CompilerServices.ResumableStateMachine`1";
    }

    /// <summary>A method's name as its source writes it: an F# inline function with SRTP constraints also has a callable copy taking the witnesses (<c>add$W</c>).</summary>
    public static string SourceName(string name) => name.EndsWith("$W", StringComparison.Ordinal) ? name[..^2] : name;

    /// <summary>The name a member is declared with, without the interface of an explicit implementation (<c>MiniLisp.Rule.Check</c>).</summary>
    private static string Unqualified(string name) => name.LastIndexOf('.') is var dot and > 0 ? name[(dot + 1)..] : name;

    /// <summary>A file's static initializer: the <c>.cctor</c> or <c>main@</c> of its <c>&lt;StartupCode$Asm&gt;</c> class.</summary>
    public static bool IsModuleInitializer(MethodDefinition method) =>
        method.DeclaringType.Namespace.StartsWith(StartupNamespace, StringComparison.Ordinal) && method.Name is ".cctor" or "main@";

    /// <summary>The module a file's static initializer class (<c>$Ns.Module</c>) initializes, when there is one.</summary>
    public static TypeDefinition? ModuleOf(TypeDefinition startup) => startup.Module.GetType(InitializedName(startup));

    /// <summary>What a static initializer class is named after: <c>&lt;StartupCode$Asm&gt;.$MiniLisp.Eval</c> is <c>MiniLisp.Eval</c> (a module, or a file).</summary>
    public static string InitializedName(TypeDefinition startup) =>
        startup.FullName.IndexOf(">.", StringComparison.Ordinal) is var end and > 0 ? startup.FullName[(end + 2)..].TrimStart('$') : startup.Name;

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    /// <summary>Whether what <paramref name="at"/> makes is stored next in the local variable called <paramref name="name"/>.</summary>
    private static bool StoredIn(MethodDefinition method, Instruction at, string name)
    {
        var next = at.Next;
        while (next is not null && next.OpCode == OpCodes.Nop) next = next.Next;
        if (next is null || LocalIndex(next) is not { } index) return false;
        return method.DebugInformation.Scope is { } scope && Declares(scope, index, name);
    }

    private static int? LocalIndex(Instruction instruction) => instruction.OpCode.Code switch
    {
        Code.Stloc_0 => 0,
        Code.Stloc_1 => 1,
        Code.Stloc_2 => 2,
        Code.Stloc_3 => 3,
        Code.Stloc or Code.Stloc_S => ((VariableDefinition)instruction.Operand).Index,
        _ => null,
    };

    private static bool Declares(ScopeDebugInformation scope, int index, string name) =>
        scope.Variables.Any(v => v.Index == index && v.Name == name) || scope.Scopes.Any(s => Declares(s, index, name));

    /// <summary>In a static initializer, the module value the code from <paramref name="at"/> on computes: the next one stored.</summary>
    private static string? ValueStoredAfter(Instruction at)
    {
        for (var i = at.Next; i is not null; i = i.Next)
            if (i.OpCode == OpCodes.Stsfld && i.Operand is FieldReference field && FSharpName().Match(field.Name) is { Success: true } m)
                return Identifier().IsMatch(m.Groups["name"].Value) ? m.Groups["name"].Value : null;
        return null;
    }

    private static Dictionary<IMemberDefinition, (MethodDefinition, Instruction)> FindCreations(ModuleDefinition module)
    {
        var creations = new Dictionary<IMemberDefinition, (MethodDefinition, Instruction)>();
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody))
                foreach (var instruction in method.Body.Instructions)
                    if (Created(instruction) is { } created && !Encloses(created, method))
                        creations.TryAdd(created, (method, instruction));
        return creations;
    }

    /// <summary>
    /// The closure class or lifted function an instruction makes or uses: a <c>newobj</c> of a
    /// generated class, a load of a capture-free closure's cached <c>@_instance</c>, a call of a lifted function.
    /// </summary>
    private static IMemberDefinition? Created(Instruction instruction)
    {
        switch (instruction.Operand)
        {
            case MethodReference ctor when instruction.OpCode == OpCodes.Newobj && ctor.DeclaringType.Name.Contains('@'):
                return ctor.DeclaringType.Resolve();
            case FieldReference field when instruction.OpCode == OpCodes.Ldsfld && field.Name == "@_instance":
                return field.DeclaringType.Resolve();
            case MethodReference called when called.Name.Contains('@') && FSharpName().IsMatch(called.Name):
                return called.Resolve();
            default:
                return null;
        }
    }

    /// <summary>Whether a method is part of what it creates: a closure's static constructor building its own instance, a sequence's fresh copy.</summary>
    private static bool Encloses(IMemberDefinition created, MethodDefinition method)
    {
        if (ReferenceEquals(created, method)) return true;
        for (var type = method.DeclaringType; type is not null; type = type.DeclaringType)
            if (ReferenceEquals(created, type)) return true;
        return false;
    }

    /// <summary>The number of an F# anonymous body among those of its user function, from 1, in source order.</summary>
    private static int FSharpLambdaNumber(IMemberDefinition body, ModuleDefinition module) =>
        FSharpLambdaNumbers.GetValue(module, NumberFSharpLambdas).TryGetValue(body, out var n) ? n : 0;

    private static Dictionary<IMemberDefinition, int> NumberFSharpLambdas(ModuleDefinition module)
    {
        var lambdas = new List<(IMemberDefinition Body, TypeDefinition UserType, string Owner, (int Line, int Column) Point)>();
        var seen = new HashSet<IMemberDefinition>();
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods)
                if (method.HasBody && FirstPoint(method) is var point && point.Line != int.MaxValue
                    && FSharpOriginOf(method) is { LocalFunction: null, Member: null, ShownAs: null, Body: { } body } origin
                    && seen.Add(body))
                    lambdas.Add((body, origin.UserType, origin.UserMethod, point));

        var numbers = new Dictionary<IMemberDefinition, int>();
        foreach (var group in lambdas.GroupBy(l => (l.UserType, l.Owner)))
        {
            var ordered = group.OrderBy(l => l.Point.Line).ThenBy(l => l.Point.Column).ThenBy(l => l.Body.Name, StringComparer.Ordinal).ToList();
            for (var i = 0; i < ordered.Count; i++) numbers[ordered[i].Body] = i + 1;
        }
        return numbers;
    }
}
