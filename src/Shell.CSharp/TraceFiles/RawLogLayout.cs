using RawLog = CodeTracer.Runtime.RawLog;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Where things lie in the runtime's raw log (src/Runtime/RawLog.cs, compiled against, not
/// copied): a header, then fixed segments, each a header and the thread's records.
/// </summary>
internal static class RawLogLayout
{
    internal const int Payload = RawLog.SegmentSize - RawLog.SegmentHeader;

    internal static long SegmentStart(long index) => RawLog.HeaderSize + index * RawLog.SegmentSize;
}
