using System.Collections;
using CodeTracer.Core.Common;
using CodeTracer.Core.Policy;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.Session;

/// <summary>Reads the environment and lets the core resolve the policy: defaults &lt; environment &lt; command line &lt; API.</summary>
public static class PolicyResolver
{
    /// <summary>The effective policy; a bad environment value throws a <see cref="RecorderException"/> (a usage error).</summary>
    public static Policy Resolve(PolicyLayer cli, PolicyLayer? api = null)
    {
        var env = PolicyEnv.parse(EnvironmentMap());
        if (env.IsError)
        {
            var errors = env.ErrorValue;
            var first = errors.Head;
            // Every bad variable is named; the first carries the context.
            var all = string.Join("; ", errors.Select(e => e.Message));
            throw new RecorderException(new RecorderError(first.Kind, first.Code, all, first.Context));
        }
        return PolicyModule.resolve(env.ResultValue, cli, api ?? PolicyLayerModule.empty);
    }

    private static FSharpMap<string, string> EnvironmentMap()
    {
        var pairs = new List<Tuple<string, string>>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string k && k.StartsWith("CODETRACER_", StringComparison.Ordinal))
                pairs.Add(Tuple.Create(k, e.Value as string ?? ""));
        return MapModule.OfSeq(pairs);
    }

    /// <summary>The policy as (field, value, source) rows, for the metadata and `codetracer policy`.</summary>
    internal static FSharpList<Tuple<string, string, string>> Rows(Policy policy) =>
        ListModule.OfSeq(PolicyModule.describe(policy).Select(r => Tuple.Create(r.Item1, r.Item2, PolicyValues.sourceText(r.Item3))));
}
