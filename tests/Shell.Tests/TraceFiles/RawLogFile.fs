/// Raw log files in the runtime's layout (Runtime.RawLog), written by hand for reader tests.
module CodeTracer.Shell.Tests.RawLogFile

open System
open System.IO
open CodeTracer.Runtime
open CodeTracer.Shell.TraceFiles

/// A Step record of `site` (tag and int32).
let step (site: int) = Array.append [| Tags.Step |] (BitConverter.GetBytes site)

/// One segment: its owner, its bytes, how many are committed, whether it is sealed.
type Segment = { Thread: int64; Bytes: byte[]; Committed: int; Sealed: bool }

let sealedSegment thread (bytes: byte[]) = { Thread = thread; Bytes = bytes; Committed = bytes.Length; Sealed = true }
let openSegment thread (bytes: byte[]) committed = { Thread = thread; Bytes = bytes; Committed = committed; Sealed = false }

/// Writes a raw log with these segments (in the order taken) and, when given, a Detach record of `thread` in the header.
let write (path: string) (segments: Segment list) (detach: (int64 * string) option) =
    let file = Array.zeroCreate<byte> (RawLog.HeaderSize + segments.Length * RawLog.SegmentSize)
    let put (offset: int) (bytes: byte[]) = Buffer.BlockCopy(bytes, 0, file, offset, bytes.Length)
    put 0 (BitConverter.GetBytes RawLog.Magic)
    put RawLog.SegmentSizeOffset (BitConverter.GetBytes RawLog.SegmentSize)
    put RawLog.TakenOffset (BitConverter.GetBytes(int64 segments.Length))
    put RawLog.UsedOffset (BitConverter.GetBytes(int64 segments.Length))
    match detach with
    | Some (thread, reason) ->
        let record = Array.concat [ [| Tags.Detach |]; BitConverter.GetBytes reason.Length; BitConverter.GetBytes reason.Length; Text.Encoding.Unicode.GetBytes reason ]
        put RawLog.DetachRecordOffset record
        put RawLog.DetachThreadOffset (BitConverter.GetBytes thread)
        put RawLog.DetachLengthOffset (BitConverter.GetBytes record.Length)
    | None -> ()
    segments
    |> List.iteri (fun i s ->
        let start = int (RawLogLayout.SegmentStart(int64 i))
        // The runtime numbers each take, and each thread's own takes.
        let ordinal = segments |> List.take i |> List.filter (fun o -> o.Thread = s.Thread) |> List.length
        put (start + RawLog.SequenceOffset) (BitConverter.GetBytes(int64 i))
        put (start + RawLog.OrdinalOffset) (BitConverter.GetBytes(int64 ordinal))
        put (start + RawLog.ThreadOffset) (BitConverter.GetBytes s.Thread)
        put (start + RawLog.CommittedOffset) (BitConverter.GetBytes s.Committed)
        put (start + RawLog.SealedOffset) (BitConverter.GetBytes(if s.Sealed then 1 else 0))
        put (start + RawLog.SegmentHeader) s.Bytes)
    File.WriteAllBytes(path, file)

/// A fresh temporary folder.
let temp () =
    let d = Path.Combine(Path.GetTempPath(), "ct-rawlog-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// Says in a written log that segment `index` was the take `sequence` of the log and its
/// thread's take `ordinal` (a pool segment taken again lies before the thread's earlier ones).
let retake (path: string) (index: int64) (sequence: int64) (ordinal: int64) =
    use f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)
    let start = RawLogLayout.SegmentStart index
    f.Seek(start + int64 RawLog.SequenceOffset, SeekOrigin.Begin) |> ignore
    f.Write(BitConverter.GetBytes sequence, 0, 8)
    f.Seek(start + int64 RawLog.OrdinalOffset, SeekOrigin.Begin) |> ignore
    f.Write(BitConverter.GetBytes ordinal, 0, 8)

/// A segment header's int32 at `offset` and its thread.
let segmentHeader (path: string) (index: int64) (offset: int) =
    use f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite)
    let bytes = Array.zeroCreate<byte> RawLog.SegmentHeader
    f.Seek(RawLogLayout.SegmentStart index, SeekOrigin.Begin) |> ignore
    f.ReadExactly(bytes, 0, bytes.Length)
    BitConverter.ToInt64(bytes, RawLog.ThreadOffset), BitConverter.ToInt32(bytes, offset)
