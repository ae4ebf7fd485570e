/// The segment reader: which bytes of a raw log it reads, in which order, and when.
module CodeTracer.Shell.Tests.RawLogReaderTests

open System
open System.IO
open System.Threading.Tasks
open Expecto
open CodeTracer.Core.Probes
open CodeTracer.Runtime
open CodeTracer.Shell.TraceFiles
open CodeTracer.Shell.Tests.RawLogFile

let private chunksOf (reader: RawLogReader) =
    reader.Chunks() |> Seq.map (fun struct (thread, records) -> thread, records) |> List.ofSeq

/// Reads a finished log (the program has ended) made of these segments.
let private readEnded segments detach =
    let dir = temp ()
    try
        let path = Path.Combine(dir, "raw.log")
        write path segments detach
        let reader = RawLogReader(path, Task.CompletedTask)
        let chunks = chunksOf reader
        chunks, reader.Truncated
    finally
        Directory.Delete(dir, true)

let private steps sites = sites |> List.map RStep

let tests =
    testList "TraceFiles.RawLogReader" [
        test "segments are read in the order taken, each thread's records in its order" {
            let chunks, truncated =
                readEnded
                    [ sealedSegment 1L (Array.append (step 1) (step 2))
                      sealedSegment 2L (step 10)
                      openSegment 1L (step 3) 5 ]
                    None
            Expect.equal chunks [ 1L, steps [ 1; 2 ]; 2L, steps [ 10 ]; 1L, steps [ 3 ] ] "chunks"
            Expect.isFalse truncated "whole records"
        }
        test "a thread's segments are read in the order it took them, wherever the pool put them" {
            let dir = temp ()
            try
                let path = Path.Combine(dir, "raw.log")
                // Segment 0 came back from the pool as thread 1's third take, after segments 1 and 2.
                write path [ sealedSegment 1L (step 3); sealedSegment 1L (step 1); sealedSegment 2L (step 10); sealedSegment 1L (step 2) ] None
                retake path 0L 3L 2L
                retake path 1L 0L 0L
                retake path 2L 1L 0L
                retake path 3L 2L 1L
                let chunks = chunksOf (RawLogReader(path, Task.CompletedTask))
                Expect.equal chunks [ 1L, steps [ 1 ]; 2L, steps [ 10 ]; 1L, steps [ 2 ]; 1L, steps [ 3 ] ] "in the order of the takes"
            finally
                Directory.Delete(dir, true)
        }
        test "a pool segment read to its end while the program runs is given back; one being written is not" {
            let dir = temp ()
            try
                let path = Path.Combine(dir, "raw.log")
                write path [ sealedSegment 1L (step 1); openSegment 1L (Array.append (step 2) (step 3)) 5 ] None
                let ended = TaskCompletionSource()
                let reading = Task.Run(fun () -> chunksOf (RawLogReader(path, ended.Task)))
                let clock = Diagnostics.Stopwatch.StartNew()
                while segmentHeader path 0L RawLog.FreeOffset <> (0L, 1) && clock.Elapsed < TimeSpan.FromSeconds 10.0 do
                    Threading.Thread.Sleep 10
                Expect.equal (segmentHeader path 0L RawLog.FreeOffset) (0L, 1) "the read segment: no thread, free"
                Expect.equal (segmentHeader path 1L RawLog.FreeOffset) (1L, 0) "the open one: still its thread's"
                ended.SetResult()
                Expect.equal reading.Result [ 1L, steps [ 1 ]; 1L, steps [ 2 ] ] "every committed record once"
            finally
                Directory.Delete(dir, true)
        }
        test "only the committed part of a segment is read" {
            let chunks, _ = readEnded [ openSegment 1L (Array.append (step 1) (step 2)) 5 ] None
            Expect.equal chunks [ 1L, steps [ 1 ] ] "the second step is not committed"
        }
        test "a record cut at a committed boundary is completed by its thread's next segment, after other threads" {
            let first = Array.append (step 1) (step 2)
            let chunks, truncated =
                readEnded
                    [ { Thread = 1L; Bytes = first.[0..6]; Committed = 7; Sealed = true }
                      sealedSegment 2L (step 10)
                      sealedSegment 1L (Array.append first.[7..] (step 3)) ]
                    None
            Expect.equal chunks [ 1L, steps [ 1 ]; 2L, steps [ 10 ]; 1L, steps [ 2; 3 ] ] "the cut step joins its thread's next part"
            Expect.isFalse truncated "nothing lost"
        }
        test "a record cut where the log ends is reported truncated" {
            let chunks, truncated = readEnded [ openSegment 1L (Array.append (step 1) (step 2)) 7 ] None
            Expect.equal chunks [ 1L, steps [ 1 ] ] "what is whole"
            Expect.isTrue truncated "truncated"
        }
        test "a segment taken but never started is skipped" {
            let chunks, _ = readEnded [ openSegment 0L [||] 0; sealedSegment 2L (step 10) ] None
            Expect.equal chunks [ 2L, steps [ 10 ] ] "chunks"
        }
        test "the Detach record of the header comes after every thread's records" {
            let chunks, _ = readEnded [ openSegment 1L (step 1) 5; openSegment 2L (step 10) 5 ] (Some(2L, "disk full"))
            Expect.equal chunks [ 1L, steps [ 1 ]; 2L, steps [ 10 ]; 2L, [ RDetach "disk full" ] ] "chunks"
        }
        test "no log and the program ended: nothing to read" {
            let reader = RawLogReader(Path.Combine(temp (), "raw.log"), Task.CompletedTask)
            Expect.isEmpty (chunksOf reader) "no chunks"
        }
        test "while the program runs, a sealed segment is read at once and a small unsealed part waits for the end" {
            let dir = temp ()
            try
                let path = Path.Combine(dir, "raw.log")
                write path [ sealedSegment 1L (step 1); openSegment 2L (step 10) 5 ] None
                let ended = TaskCompletionSource()
                use chunks = RawLogReader(path, ended.Task).Chunks().GetEnumerator()
                Expect.isTrue (chunks.MoveNext()) "a first chunk"
                let struct (thread, records) = chunks.Current
                Expect.equal (thread, records) (1L, steps [ 1 ]) "the sealed segment, before the end"
                let mutable endedAt = DateTime.MaxValue
                let finisher = Task.Delay(300).ContinueWith(fun (_: Task) -> endedAt <- DateTime.UtcNow; ended.SetResult())
                Expect.isTrue (chunks.MoveNext()) "a second chunk"
                Expect.isGreaterThanOrEqual DateTime.UtcNow endedAt "read only once the program ended"
                let struct (thread, records) = chunks.Current
                Expect.equal (thread, records) (2L, steps [ 10 ]) "the unsealed part"
                Expect.isFalse (chunks.MoveNext()) "the end"
                finisher.Wait()
            finally
                Directory.Delete(dir, true)
        }
        test "while the program runs, a thread's later segment waits for the unread part of its earlier one" {
            let dir = temp ()
            try
                let path = Path.Combine(dir, "raw.log")
                write path [ openSegment 1L (step 1) 5; sealedSegment 1L (step 2) ] None
                let ended = TaskCompletionSource()
                let finisher = Task.Delay(200).ContinueWith(fun (_: Task) -> ended.SetResult())
                let chunks = chunksOf (RawLogReader(path, ended.Task))
                Expect.equal chunks [ 1L, steps [ 1 ]; 1L, steps [ 2 ] ] "in the thread's order"
                finisher.Wait()
            finally
                Directory.Delete(dir, true)
        }
        test "the header's mark that capture stopped at max_trace_size is read once the program ended" {
            let dir = temp ()
            try
                let path = Path.Combine(dir, "raw.log")
                let stoppedAfterReading (mark: bool) =
                    write path [ sealedSegment 1L (step 1) ] None
                    if mark then
                        use f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)
                        f.Seek(int64 RawLog.StoppedOffset, SeekOrigin.Begin) |> ignore
                        f.Write(BitConverter.GetBytes 1, 0, 4)
                    let reader = RawLogReader(path, Task.CompletedTask)
                    Expect.equal (chunksOf reader) [ 1L, steps [ 1 ] ] "the records before it"
                    reader.CaptureStopped
                Expect.isTrue (stoppedAfterReading true) "marked"
                Expect.isFalse (stoppedAfterReading false) "not marked"
            finally
                Directory.Delete(dir, true)
        }
        test "the runtime's full-disk reason is the one the core reads as ERR_DISK_FULL" {
            let full = typeof<Tags>.Assembly.GetType("CodeTracer.Runtime.DiskFullException", true)
            let e = Activator.CreateInstance(full, [| box "/tmp/a\tb/raw.log"; box "no space\tleft" |]) :?> exn
            Expect.equal e.Message (CodeTracer.Core.Diagnostics.DiskFull.detachReason "/tmp/a\tb/raw.log" "no space\tleft") "same text"
            let error = CodeTracer.Core.Diagnostics.DiskFull.ofDetachReason e.Message
            Expect.equal (error |> Option.map (fun x -> x.Context)) (Some [ "path", "/tmp/a\tb/raw.log" ]) "the path"
        }
    ]
