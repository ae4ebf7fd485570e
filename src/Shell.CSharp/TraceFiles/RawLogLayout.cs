namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// The raw log's layout, as the runtime writes it (src/Runtime/RawLog.cs, which may depend on
/// nothing and so keeps its own copy; a test checks both agree): a header, then fixed segments,
/// each <c>[int64 thread id][int32 committed][int32 sealed][int64 sequence][int64 ordinal][int32 free]</c>
/// and the thread's records; the segments of the first extent are a pool the reader gives back.
/// </summary>
internal static class RawLogLayout
{
    internal const long Magic = 0x31474F4C57415243;
    internal const int HeaderSize = 4096;
    internal const int SegmentSize = 64 * 1024;
    internal const int SegmentHeader = 64;
    internal const int SegmentSizeOffset = 8;
    internal const int TakenOffset = 16;
    internal const int DetachLengthOffset = 24;
    internal const int DetachThreadOffset = 32;
    internal const int StoppedOffset = 40;
    internal const int UsedOffset = 48;
    internal const int DetachRecordOffset = 64;
    internal const int ThreadOffset = 0;
    internal const int CommittedOffset = 8;
    internal const int SealedOffset = 12;
    internal const int SequenceOffset = 16;
    internal const int OrdinalOffset = 24;
    internal const int FreeOffset = 32;
    internal const int PoolSegments = 256;
    internal static readonly int Payload = SegmentSize - SegmentHeader;

    internal static long SegmentStart(long index) => HeaderSize + index * SegmentSize;
}
