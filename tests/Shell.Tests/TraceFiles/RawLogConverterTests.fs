module CodeTracer.Shell.Tests.RawLogConverterTests

open System
open System.IO
open Expecto
open CodeTracer.Core.Policy
open CodeTracer.Core.Recording
open CodeTracer.Shell
open CodeTracer.Shell.TraceFiles
open CodeTracer.Shell.Tests

let private temp () =
    let d = Path.Combine(Path.GetTempPath(), "ct-writer-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// A reader of a finished raw log of one segment of thread 1 holding `records`.
let private rawLog (dir: string) (records: byte[]) =
    let path = Path.Combine(dir, "raw.log")
    RawLogFile.write path [ RawLogFile.sealedSegment 1L records ] None
    RawLogReader(path, Threading.Tasks.Task.CompletedTask)

let tests =
    testList
        "TraceFiles.RawLogConverter"
        [ test "a malformed raw log fails on the converting thread and the failure reaches the caller" {
              let dir = temp ()
              try
                  let raw = rawLog dir [| 0xEEuy |]
                  Expect.throwsT<RecorderException>
                      (fun () ->
                          use sink = new JsonTraceSink(Path.Combine(dir, "trace.json"))
                          RawLogConverter.Convert(raw, Manifest.empty, Func<int>(fun () -> 0), sink, Threading.CancellationToken.None, null) |> ignore)
                      "RecorderException"
              finally
                  Directory.Delete(dir, true)
          }
          test "an empty raw log gives the registrations and <toplevel>'s return" {
              let dir = temp ()
              try
                  let raw = rawLog dir [||]
                  let summary =
                      use sink = new JsonTraceSink(Path.Combine(dir, "trace.json"))
                      RawLogConverter.Convert(raw, Manifest.empty, Func<int>(fun () -> 3), sink, Threading.CancellationToken.None, null)
                  Expect.isTrue summary.Balanced "balanced"
                  Expect.stringContains (File.ReadAllText(Path.Combine(dir, "trace.json"))) "{\"Return\":{\"return_value\":{\"kind\":\"Int\",\"i\":3" "exit code"
              finally
                  Directory.Delete(dir, true)
          }
          test "both sinks get the same events through the one pipeline" {
              let dir = temp ()
              try
                  let raw = rawLog dir [||]
                  let convert format =
                      let path = Path.Combine(dir, PolicyValues.traceFileName format)
                      use sink = TraceEventSinks.Create(format, path)
                      let summary = RawLogConverter.Convert(raw, Manifest.empty, Func<int>(fun () -> 3), sink, Threading.CancellationToken.None, null)
                      summary.Events, List.ofSeq (TraceEventReader.Read path)
                  let binaryCount, binary = convert TraceFormat.Binary
                  let jsonCount, json = convert TraceFormat.Json
                  Expect.equal binary json "same events"
                  Expect.equal (binaryCount, jsonCount) (int64 json.Length, int64 json.Length) "counted"
                  Expect.isNonEmpty json "the registrations and <toplevel>"
              finally
                  Directory.Delete(dir, true)
          }
          test "a cut stops the conversion between chunks: nothing after it is read, and the trace is still finished" {
              let dir = temp ()
              try
                  let path = Path.Combine(dir, "raw.log")
                  let segments = [ 1L; 2L; 3L ] |> List.map (fun t -> RawLogFile.sealedSegment t (RawLogFile.step 1))
                  let convert (cutAt: int option) =
                      RawLogFile.write path segments None
                      use cut = new Threading.CancellationTokenSource()
                      let mutable chunks = 0
                      use sink = new JsonTraceSink(Path.Combine(dir, "trace.json"))
                      let summary =
                          RawLogConverter.Convert(RawLogReader(path, Threading.Tasks.Task.CompletedTask), Manifest.empty, Func<int>(fun () -> 0), sink, cut.Token,
                              Action<int64, int64>(fun _ _ ->
                                  chunks <- chunks + 1
                                  if Some chunks = cutAt then cut.Cancel()))
                      summary, chunks
                  let whole, all = convert None
                  Expect.equal (whole.Cut, all) (false, 3) "three chunks, all converted"
                  let cut, read = convert (Some 2)
                  Expect.equal (cut.Cut, read) (true, 2) "the third chunk is never read"
                  Expect.isLessThan cut.Anomalies whole.Anomalies "the second chunk is not converted either"
                  Expect.stringContains (File.ReadAllText(Path.Combine(dir, "trace.json"))) "\"Function\"" "the trace is finished: its registrations are written"
              finally
                  Directory.Delete(dir, true)
          }
          test "the hand-over keeps the order, ends once closed and drained, and refuses items after" {
              let handoff = Handoff<int>(2)
              let producer = Threading.Thread(fun () ->
                  for i in 1..100 do
                      handoff.Add i |> ignore
                  handoff.Close())
              producer.Start()
              let taken = ResizeArray()
              let mutable item = 0
              while handoff.Take(&item) do
                  taken.Add item
              producer.Join()
              Expect.sequenceEqual taken [ 1..100 ] "in order"
              Expect.isFalse (handoff.Add 101) "closed"
          } ]
