namespace CodeTracer.Shell;

/// <summary>How often one function was called in a trace.</summary>
/// <param name="Function">The function's name as recorded, e.g. <c>App.Program.Sum(int, int)</c>.</param>
/// <param name="Calls">Its Call events.</param>
public sealed record FunctionCalls(string Function, int Calls);

/// <summary>What a trace folder holds, as <c>codetracer print --summary</c> reports it.</summary>
public sealed class TraceSummary
{
    internal TraceSummary() { }

    /// <summary>The trace folder, as a full path.</summary>
    public string TraceDir { get; internal init; } = "";

    /// <summary>The metadata's outcome, or null when absent or not one this recorder writes.</summary>
    public OutcomeKind? Outcome { get; internal init; }

    /// <summary>The program's exit code from the metadata, or null when absent.</summary>
    public long? ExitCode { get; internal init; }

    /// <summary>All events.</summary>
    public int Events { get; internal init; }

    /// <summary>Step events.</summary>
    public int Steps { get; internal init; }

    /// <summary>Call events.</summary>
    public int Calls { get; internal init; }

    /// <summary>Return events.</summary>
    public int Returns { get; internal init; }

    /// <summary>Registered functions.</summary>
    public int Functions { get; internal init; }

    /// <summary>Calls that never returned.</summary>
    public int OpenCalls { get; internal init; }

    /// <summary>The functions that were called, most calls first (ties by name).</summary>
    public IReadOnlyList<FunctionCalls> FunctionsByCalls { get; internal init; } = [];

    /// <summary>
    /// The calls of the functions whose recorded name is <paramref name="name"/> or starts
    /// with <paramref name="name"/> followed by <c>(</c> (so <c>Ns.Type.Method</c> counts every overload).
    /// </summary>
    public int CallsOf(string name) =>
        FunctionsByCalls
            .Where(f => f.Function == name || f.Function.StartsWith(name + "(", StringComparison.Ordinal))
            .Sum(f => f.Calls);
}
