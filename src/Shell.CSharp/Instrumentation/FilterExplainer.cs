using CodeTracer.Core.TraceFilter;
using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>One value of a method as the filters see it.</summary>
internal sealed record ValueExplanation(string Kind, string Name, string Action, string Why);

/// <summary>One method as the filters see it: traced or skipped and why, and each value's action.</summary>
internal sealed record MethodExplanation(
    string Method, string Exec, string ExecWhy, string PatternsFrom, IReadOnlyList<string> ReplacedPatterns,
    IReadOnlyList<ValueExplanation> Values);

/// <summary>
/// `codetracer filters explain`: the decisions the instrumenter would take for an
/// application's methods, read from its assemblies without changing them.
/// </summary>
internal static class FilterExplainer
{
    /// <summary>Every method with sequence points whose <c>Namespace.Type.Method</c> matches <paramref name="methodGlob"/> (null: all).</summary>
    public static IReadOnlyList<MethodExplanation> Explain(string appFolder, FilterChain chain, string? projectRoot, string? methodGlob)
    {
        var filter = methodGlob is null ? null : MatcherModule.ofGlob(methodGlob);
        var policy = new InstrumentationPolicy(chain, projectRoot, null);
        var result = new List<MethodExplanation>();
        using var resolver = new AssemblyRewriter.StagedAssemblyResolver(appFolder);
        foreach (var (path, _, symbols) in AssemblyRewriter.Candidates(appFolder))
        {
            using var module = AssemblyRewriter.Read(path, symbols, resolver);
            if (module is null) continue;
            foreach (var method in module.GetTypes().SelectMany(t => t.Methods))
            {
                if (!method.HasBody || !method.DebugInformation.HasSequencePoints) continue;
                var qualified = InstrumentationPolicy.QualifiedName(method);
                if (filter is not null && !MatcherModule.isMatch(filter, qualified)) continue;
                result.Add(ExplainMethod(policy.PolicyOf(method), method, qualified));
            }
        }
        return result;
    }

    private static MethodExplanation ExplainMethod(MethodPolicy policy, MethodDefinition method, string qualified)
    {
        var (exec, execWhy) = FilterApi.ExplainExec(policy).ToValueTuple();
        var (patternsFrom, replaced) = FilterApi.ExplainPatterns(policy).ToValueTuple();
        var values = new List<ValueExplanation>();
        void Add(ValueKind kind, string name, TypeReference type)
        {
            var subject = ValueSubjects.Of(method, qualified, kind, name, type);
            var (action, why) = FilterApi.ExplainValue(policy, kind, subject).ToValueTuple();
            values.Add(new ValueExplanation(ValueKindModule.toConfigString(kind), name, action, why));
        }
        if (method.HasThis) Add(ValueKind.Arg, "this", method.DeclaringType);
        foreach (var p in method.Parameters) Add(ValueKind.Arg, p.Name, p.ParameterType);
        foreach (var (local, type) in Locals(method)) Add(ValueKind.Local, local, type);
        if (!Modifiers.ReturnsVoid(method)) Add(ValueKind.Ret, "<return_value>", method.ReturnType);
        return new MethodExplanation(DisplayNames.OfMethod(method), exec, execWhy, patternsFrom, replaced, values);
    }

    /// <summary>The method's named locals by name (a name declared twice: its first type), in name order.</summary>
    private static IEnumerable<(string Name, TypeReference Type)> Locals(MethodDefinition method)
    {
        var locals = new SortedDictionary<string, TypeReference>(StringComparer.Ordinal);
        void Collect(Mono.Cecil.Cil.ScopeDebugInformation scope)
        {
            foreach (var v in scope.Variables)
                if (!v.IsDebuggerHidden && !VisibleVariables.IsCompilerTemporary(v.Name)) locals.TryAdd(v.Name, method.Body.Variables[v.Index].VariableType);
            foreach (var inner in scope.Scopes) Collect(inner);
        }
        if (method.DebugInformation.Scope is { } root) Collect(root);
        return locals.Select(kv => (kv.Key, kv.Value));
    }
}
