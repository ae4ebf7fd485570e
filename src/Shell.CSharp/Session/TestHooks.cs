using RuntimeVariables = CodeTracer.Runtime.RuntimeVariables;

namespace CodeTracer.Shell.Session;

/// <summary>
/// Test-only failure injection on the shell's side (points <c>conversion</c>
/// and <c>finalisation</c>); the runtime handles its own points. Both need
/// <c>CODETRACER_TEST_HOOKS=1</c> and <c>CODETRACER_TEST_FAIL_AT</c>, so normal use never reaches them.
/// </summary>
internal static class TestHooks
{
    private static readonly string? FailAt =
        Environment.GetEnvironmentVariable(RuntimeVariables.TestHooks) == "1"
            ? Environment.GetEnvironmentVariable(RuntimeVariables.TestFailAt)
            : null;

    /// <summary>
    /// Every step writes every visible variable (<c>CODETRACER_TEST_FULL_SNAPSHOT=1</c>): the
    /// capture as it was before change-only capture, which the tests compare it against.
    /// </summary>
    internal static readonly bool FullSnapshot =
        Environment.GetEnvironmentVariable(RuntimeVariables.TestHooks) == "1"
        && Environment.GetEnvironmentVariable("CODETRACER_TEST_FULL_SNAPSHOT") == "1";

    private static readonly string? PauseAt =
        Environment.GetEnvironmentVariable(RuntimeVariables.TestHooks) == "1"
            ? Environment.GetEnvironmentVariable("CODETRACER_TEST_PAUSE_AT")
            : null;

    /// <summary>Whether the tests asked to pause at <paramref name="point"/>.</summary>
    internal static bool PausesAt(string point) => PauseAt == point;

    /// <summary>
    /// Waits at <paramref name="point"/> (<c>CODETRACER_TEST_PAUSE_AT</c>: <c>bootstrap</c>,
    /// <c>staging</c>, <c>instrumentation</c>, <c>conversion</c>) until <paramref name="stop"/> is
    /// cancelled, then goes on, so a test can signal the recorder in that phase and see the phase's
    /// own work end.
    /// </summary>
    internal static void PauseIfAsked(string point, CancellationToken stop)
    {
        if (PauseAt != point) return;
        Console.Error.WriteLine($"codetracer: test hook: paused at {point}");
        stop.WaitHandle.WaitOne();
    }

    /// <summary>Throws an injected failure when the tests asked for one at <paramref name="point"/>.</summary>
    internal static void FailIfAsked(string point, Func<string, Core.Common.RecorderError> error)
    {
        if (FailAt == point) throw new RecorderException(error("injected failure at " + point));
    }

    /// <summary>The variables the runtime needs to see the same request.</summary>
    internal static IEnumerable<KeyValuePair<string, string>> ForRuntime()
    {
        if (FailAt is null) yield break;
        yield return new(RuntimeVariables.TestHooks, "1");
        yield return new(RuntimeVariables.TestFailAt, FailAt);
    }
}
