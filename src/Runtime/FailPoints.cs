using System;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// Test-only failure injection: with <c>CODETRACER_TEST_HOOKS=1</c> and
/// <c>CODETRACER_TEST_FAIL_AT=point[:n]</c> the runtime fails at the n-th hit of
/// that point (enter, step, return, value, flush). Without both variables
/// <see cref="Armed"/> is false, a static readonly the JIT folds away.
/// </summary>
internal static class FailPoints
{
    internal const int Enter = 1, Step = 2, Return = 3, Value = 4, Flush = 5;

    internal static readonly bool Armed;
    private static readonly int Point;
    private static int _remaining;

    static FailPoints()
    {
        if (Environment.GetEnvironmentVariable(RuntimeVariables.TestHooks) != "1") return;
        var spec = Environment.GetEnvironmentVariable(RuntimeVariables.TestFailAt);
        if (string.IsNullOrEmpty(spec)) return;
        var parts = spec.Split(':');
        Point = parts[0] switch { "enter" => Enter, "step" => Step, "return" => Return, "value" => Value, "flush" => Flush, _ => 0 };
        _remaining = parts.Length > 1 && int.TryParse(parts[1], out var n) && n > 0 ? n : 1;
        Armed = Point != 0;
    }

    /// <summary>True (after detaching the recorder) when this hit is the one to fail.</summary>
    internal static bool Hit(int point)
    {
        if (point != Point || Interlocked.Decrement(ref _remaining) != 0) return false;
        Recorder.Fail("injected failure at " + Name(point));
        return true;
    }

    private static string Name(int point) => point switch
    {
        Enter => "method entry", Step => "step", Return => "return", Value => "value capture", _ => "runtime flush",
    };
}
