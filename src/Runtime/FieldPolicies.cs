using System;
using System.IO;
using System.Text.RegularExpressions;

namespace CodeTracer.Runtime;

/// <summary>
/// What the trace filter does to the fields of recorded objects, one policy per group of
/// methods (the instrumenter passes a method's policy id to <c>Probe.ValObjectIn</c>; 0
/// records every field). The shell writes the policies to a file (Core's
/// <c>FieldPolicy.encode</c>); each is compiled the first time a value needs it, and its
/// actions for a type's fields are decided once per type and kept on the type's writer (<see cref="FieldSet"/>).
/// </summary>
internal static class FieldPolicies
{
    internal const byte Allow = 0, Redact = 1, Drop = 2;

    private static string[] _lines = [];
    private static Policy?[] _compiled = [];

    private sealed record Policy(byte Default, (Regex Pattern, byte Action)[] Patterns);

    internal static void Load()
    {
        var path = Environment.GetEnvironmentVariable("CODETRACER_FIELD_POLICIES");
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return;
        _lines = File.ReadAllText(path).Split('\n');
        _compiled = new Policy?[_lines.Length];
    }

    /// <summary>The action on each of <paramref name="names"/> under policy <paramref name="id"/> (1-based line; 0: all allowed).</summary>
    internal static byte[] Decide(int id, string[] names)
    {
        var actions = new byte[names.Length];
        if (id <= 0 || id > _lines.Length) return actions;
        var policy = _compiled[id - 1] ??= Compile(_lines[id - 1]);
        for (var i = 0; i < names.Length; i++)
        {
            actions[i] = policy.Default;
            foreach (var (pattern, action) in policy.Patterns)
            {
                if (!pattern.IsMatch(names[i])) continue;
                actions[i] = action;
                break;
            }
        }
        return actions;
    }

    private static Policy Compile(string line)
    {
        var parts = line.Split('\t');
        var patterns = new (Regex, byte)[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
            patterns[i - 1] = (new Regex(parts[i][1..], RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), Action(parts[i][0]));
        return new Policy(Action(parts[0][0]), patterns);
    }

    private static byte Action(char letter) => letter switch { 'r' => Redact, 'd' => Drop, _ => Allow };
}
