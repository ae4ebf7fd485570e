/// max_trace_size as the runtime applies it: the raw log is a header and fixed segments
/// (Runtime/RawLog.cs), so the budget is a number of segments, counted once here and handed to
/// the runtime, which refuses the segment past it and stops capturing.
[<RequireQualifiedAccess>]
module CodeTracer.Core.Recording.RawLogBudget

/// How many segments the raw log may take under `maxTraceSize` bytes: as many whole segments
/// as fit after the header, so the log never passes the size (0 bytes: no limit, None).
let segments (headerSize: int) (segmentSize: int) (maxTraceSize: int64) : int64 option =
    if maxTraceSize <= 0L then None
    else Some(max 0L ((maxTraceSize - int64 headerSize) / int64 segmentSize))

/// The raw log's size when every allowed segment is taken.
let bytes (headerSize: int) (segmentSize: int) (segments: int64) : int64 =
    int64 headerSize + segments * int64 segmentSize
