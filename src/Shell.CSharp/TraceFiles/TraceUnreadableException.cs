using CodeTracer.Core.Common;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// A trace's events file broke a rule of its format, found while its events were being
/// enumerated (the file is read lazily, so the problem surfaces mid-way).
/// </summary>
public sealed class TraceUnreadableException(TraceProblem problem) : Exception(TraceProblemModule.render(problem))
{
    /// <summary>Where and what, as the decoders locate it.</summary>
    public TraceProblem Problem { get; } = problem;
}
