using System;

namespace CodeTracer.Runtime;

/// <summary>How much of a value is captured: the policy's max_string, max_elements, max_depth.</summary>
internal static class Limits
{
    internal static int MaxString = 1000;
    internal static int MaxElements = 100;
    internal static int MaxDepth = 8;

    internal static void Load()
    {
        MaxString = Read(RuntimeVariables.MaxString, MaxString);
        MaxElements = Read(RuntimeVariables.MaxElements, MaxElements);
        // The reader takes values nested at most 64 records deep; a level can take two (a dictionary entry's Tuple, a Boxed primitive).
        MaxDepth = Math.Min(Read(RuntimeVariables.MaxDepth, MaxDepth), 25);
    }

    // The shell validated these already; a value it did not set keeps the default.
    private static int Read(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v >= 0 ? v : fallback;
}
