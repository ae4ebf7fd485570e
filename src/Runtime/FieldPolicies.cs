using System;
using System.IO;
using System.Text.RegularExpressions;

namespace CodeTracer.Runtime;

/// <summary>
/// What the trace filter does to the fields of recorded objects and to the values held under
/// string keys (the entries of maps, KeyValuePairs, DictionaryEntries, 2-tuples), one policy per
/// group of methods (the instrumenter passes a method's policy id to <c>Probe.ValObjectIn</c>;
/// 0 records everything). The shell writes the policies to a file (Core's <c>FieldPolicy.encode</c>);
/// each is compiled the first time a value needs it, and its actions for a type's fields are
/// decided once per type and kept on the type's writer (<see cref="FieldSet"/>); a key, once
/// per value held under it.
/// </summary>
internal static class FieldPolicies
{
    internal const byte Allow = 0, Redact = 1, Drop = 2;

    private static string[] _lines = [];
    private static Policy?[] _compiled = [];

    /// <summary>A pattern: a regex (glob, regex and literal selectors) or a <c>words</c> pattern.</summary>
    private sealed record Pattern(Regex? Regex, WordPattern? Words, byte Action)
    {
        internal bool Matches(string name, bool isText) => Regex?.IsMatch(name) ?? Words!.Matches(name, isText);
    }

    private sealed record Policy(byte Default, Pattern[] Patterns);

    internal static void Load()
    {
        var path = Environment.GetEnvironmentVariable(RuntimeVariables.FieldPolicies);
        if (string.IsNullOrEmpty(path) || !File.Exists(path)) return;
        _lines = File.ReadAllText(path).Split('\n');
        _compiled = new Policy?[_lines.Length];
    }

    /// <summary>
    /// The action on each of <paramref name="names"/> (whose values are text where
    /// <paramref name="texts"/> says so) under policy <paramref name="id"/> (1-based line; 0: all allowed).
    /// </summary>
    internal static byte[] Decide(int id, string[] names, bool[] texts)
    {
        var actions = new byte[names.Length];
        if (PolicyOf(id) is not { } policy) return actions;
        for (var i = 0; i < names.Length; i++) actions[i] = Decide(policy, names[i], texts[i]);
        return actions;
    }

    /// <summary>
    /// The action on a value held under a key (a map's entry, a KeyValuePair, a DictionaryEntry, a
    /// 2-tuple) under the thread's policy: a string key is judged as a field of that name, so that
    /// <c>settings["password"]</c> is redacted; any other key allows it. The value's runtime type
    /// says whether it is text. Map walkers (F# <c>Map</c> included) call this for each entry.
    /// </summary>
    internal static byte DecideKeyed(ThreadBuffer b, object? key, object? value) =>
        b.FieldPolicy != 0 && key is string name ? DecideKeyed(b.FieldPolicy, name, value is not null && TextTypes.IsText(value.GetType())) : Allow;

    /// <summary>The action on a value under the string key <paramref name="key"/>, judged as a field of that name under policy <paramref name="id"/>.</summary>
    internal static byte DecideKeyed(int id, string key, bool isText) =>
        PolicyOf(id) is { } policy ? Decide(policy, key, isText) : Allow;

    private static Policy? PolicyOf(int id) =>
        id <= 0 || id > _lines.Length ? null : _compiled[id - 1] ??= Compile(_lines[id - 1]);

    private static byte Decide(Policy policy, string name, bool isText)
    {
        foreach (var pattern in policy.Patterns)
            if (pattern.Matches(name, isText)) return pattern.Action;
        return policy.Default;
    }

    private static Policy Compile(string line)
    {
        var parts = line.Split('\t');
        var patterns = new Pattern[parts.Length - 1];
        for (var i = 1; i < parts.Length; i++)
        {
            var action = Action(parts[i][0]);
            var text = parts[i][2..];
            patterns[i - 1] = parts[i][1] == 'w'
                ? new Pattern(null, WordPattern.Parse(text), action)
                : new Pattern(new Regex(text, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), null, action);
        }
        return new Policy(Action(parts[0][0]), patterns);
    }

    private static byte Action(char letter) => letter switch { 'r' => Redact, 'd' => Drop, _ => Allow };
}
