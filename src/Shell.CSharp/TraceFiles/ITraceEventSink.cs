using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>Where converted events go: trace.json or trace.bin, written as they come.</summary>
internal interface ITraceEventSink : IDisposable
{
    /// <summary>Appends one event.</summary>
    void Write(TraceEvent e);

    /// <summary>Completes the file (closing bracket, last frame and seek table); nothing is written after.</summary>
    void Finish();
}

/// <summary>Opens the sink of a policy's format.</summary>
internal static class TraceEventSinks
{
    /// <summary>A sink writing <paramref name="path"/> in <paramref name="format"/>.</summary>
    internal static ITraceEventSink Create(Core.Policy.TraceFormat format, string path) =>
        format.IsJson ? new JsonTraceSink(path) : new BinaryTraceSink(path);
}
