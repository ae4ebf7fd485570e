using CodeTracer.Core.Common;

namespace CodeTracer.Shell;

/// <summary>Carries a recorder error from deep in the shell up to the facade, which turns it back into a value.</summary>
public sealed class RecorderException(RecorderError error) : Exception(error.Message)
{
    /// <summary>The error, with its kind, code and context.</summary>
    public RecorderError Error { get; } = error;
}
