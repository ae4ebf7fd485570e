using CodeTracer.Core.TraceFilter;
using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>What the instrumenter does with one method: its value actions, its field policy's id, whether it activates recording.</summary>
internal sealed record MethodDecision(bool Activates, ValueFilter ValueAction, int FieldPolicy);

/// <summary>
/// The filter chain and <c>--activation</c> applied while instrumenting: each method
/// is decided once, here, and the decision is compiled into its probes; nothing is
/// decided while the program runs. Counts the decisions for the metadata.
/// </summary>
internal sealed class InstrumentationPolicy
{
    private readonly FilterChain _chain;
    private readonly string? _projectRoot;
    private readonly Tuple<Selector<ScopeKind>, Matcher>? _activation;

    private readonly List<FieldPolicy> _fieldPolicies = [];

    /// <summary>
    /// The distinct field policies of the methods decided so far; a method's id is its
    /// policy's index + 1 (0: every field recorded, not listed).
    /// </summary>
    public IReadOnlyList<FieldPolicy> FieldPolicies => _fieldPolicies;

    /// <summary>The decisions taken so far (methods, value slots).</summary>
    public FilterStats Stats { get; private set; } = FilterStatsModule.zero;

    /// <param name="chain">The filter chain.</param>
    /// <param name="projectRoot">The folder `file:` selectors are relative to (null: none match).</param>
    /// <param name="activation">A compiled `--activation` selector, or null to record everything.</param>
    public InstrumentationPolicy(FilterChain chain, string? projectRoot, Tuple<Selector<ScopeKind>, Matcher>? activation)
    {
        _chain = chain;
        _projectRoot = projectRoot;
        _activation = activation;
    }

    /// <summary>The chain's decision for a method, not counted (for `filters explain`).</summary>
    internal MethodPolicy PolicyOf(MethodDefinition method) =>
        FilterApi.Decide(_chain, method.Module.Assembly.Name.Name, Outermost(method.DeclaringType).Namespace, QualifiedName(method), RelativeFile(method));

    /// <summary>The decision for a method, or null when the chain skips it (it gets no probes).</summary>
    internal MethodDecision? Decide(MethodDefinition method)
    {
        var assembly = method.Module.Assembly.Name.Name;
        var ns = Outermost(method.DeclaringType).Namespace;
        var qualified = QualifiedName(method);
        var file = RelativeFile(method);
        var policy = FilterApi.Decide(_chain, assembly, ns, qualified, file);
        var traced = FilterApi.IsTraced(policy);
        Stats = FilterStatsModule.countMethod(traced ? ExecDirective.Trace : ExecDirective.Skip, Stats);
        if (!traced) return null;
        var activates = _activation is not null && FilterApi.Activates(_activation, assembly, ns, qualified, file);
        return new MethodDecision(activates, (kind, name, type) =>
        {
            var action = FilterApi.ValueActionOf(policy, kind, ValueSubjects.Of(method, qualified, kind, name, type));
            Stats = FilterStatsModule.countValue(kind, action, Stats);
            return action;
        }, FieldPolicyId(FieldPolicyModule.ofMethod(policy)));
    }

    private int FieldPolicyId(FieldPolicy policy)
    {
        if (policy.Equals(FieldPolicyModule.allowAll)) return 0;
        var index = _fieldPolicies.IndexOf(policy);
        if (index < 0)
        {
            index = _fieldPolicies.Count;
            _fieldPolicies.Add(policy);
        }
        return index + 1;
    }

    /// <summary><c>Namespace.Type.Method</c>, nested types joined with <c>.</c>, generic arity left out.</summary>
    /// Async, iterator, lambda and local function bodies are named by the user method they belong to.
    internal static string QualifiedName(MethodDefinition method)
    {
        if (GeneratedCode.KickoffOf(method) is { } kickoff) return QualifiedName(kickoff);
        var origin = GeneratedCode.OriginOf(method);
        var parts = new List<string> { origin?.UserMethod ?? method.Name };
        for (var type = origin?.UserType ?? method.DeclaringType; type is not null; type = type.DeclaringType)
            parts.Add(WithoutArity(type.Name));
        var ns = Outermost(method.DeclaringType).Namespace;
        if (!string.IsNullOrEmpty(ns)) parts.Add(ns);
        parts.Reverse();
        return string.Join('.', parts);
    }

    private static string WithoutArity(string name) => name.IndexOf('`') is var i and >= 0 ? name[..i] : name;

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    /// <summary>The method's source file relative to the project root, <c>/</c>-separated; null outside it.</summary>
    private string? RelativeFile(MethodDefinition method)
    {
        if (_projectRoot is null || !method.DebugInformation.HasSequencePoints) return null;
        var path = method.DebugInformation.SequencePoints[0].Document.Url;
        var relative = Path.GetRelativePath(_projectRoot, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? null
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
