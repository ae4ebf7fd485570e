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
