namespace CodeTracer.Shell.CSharp.Tests;

/// <summary>
/// A small test runner: runs each test, prints a line per test and Expecto's summary
/// line (<c>N passed, N ignored, N failed, N errored</c>) that build.fsx sums up.
/// </summary>
internal static class Runner
{
    internal sealed class AssertionException(string message) : Exception(message);

    internal static void Equal<T>(T actual, T expected, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            throw new AssertionException($"{what}: expected {expected}, got {actual}");
    }

    internal static void True(bool condition, string what)
    {
        if (!condition) throw new AssertionException(what);
    }

    internal static async Task<int> RunAsync(IReadOnlyList<(string Name, Func<Task> Body)> tests, string? filter)
    {
        int passed = 0, failed = 0, errored = 0, ignored = 0;
        foreach (var (name, body) in tests)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.Ordinal)) { ignored++; continue; }
            try
            {
                await body();
                passed++;
                Console.WriteLine($"[pass] {name}");
            }
            catch (AssertionException e)
            {
                failed++;
                Console.WriteLine($"[FAIL] {name}: {e.Message}");
            }
            catch (Exception e)
            {
                errored++;
                Console.WriteLine($"[ERROR] {name}: {e}");
            }
        }
        Console.WriteLine($"{passed} passed, {ignored} ignored, {failed} failed, {errored} errored");
        return failed + errored == 0 ? 0 : 1;
    }
}
