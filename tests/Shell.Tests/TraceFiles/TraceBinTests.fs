/// trace.bin's framing as the loader reads it: the header, 2 MiB zstd frames, and a
/// seek table whose entries add up to the file; the reader gives the events back.
module CodeTracer.Shell.Tests.TraceBinTests

open System
open System.Buffers.Binary
open System.IO
open Expecto
open ZstdSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Shell.TraceFiles

let private temp () =
    let d = Path.Combine(Path.GetTempPath(), "ct-bin-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// Enough varied events for several frames (about 9 MiB of CBOR).
let private manyEvents =
    [ yield Path "/src/Program.cs"
      yield Function(0, 1, "<toplevel>")
      yield Call(0, [])
      for i in 1..150_000 do
          yield Step(0, i % 500 + 1)
          yield Value(i % 7, ValueRecord.String(sprintf "value %d of the loop" i, 3))
      yield Return(NoneValue 0) ]

let private writeBin (path: string) (events: TraceEvent list) =
    use sink = new BinaryTraceSink(path)
    for e in events do
        sink.Write e
    sink.Finish()

/// The seek table of a trace.bin's bytes.
let private seekTable (bytes: byte array) =
    let body = bytes.AsMemory(8)
    match SeekTable.Read(int64 body.Length, fun offset buffer -> body.Span.Slice(int offset, buffer.Length).CopyTo(buffer.AsSpan())) with
    | entries, null -> entries
    | _, problem -> failtestf "no seek table: %s" problem

let private unreadable (bytes: byte array) (message: string) =
    let dir = temp ()
    try
        let path = Path.Combine(dir, "trace.bin")
        File.WriteAllBytes(path, bytes)
        try
            TraceEventReader.Read path |> Seq.iter ignore
            failtest "expected the file to be unreadable"
        with :? TraceUnreadableException as e ->
            Expect.equal e.Problem.Where "trace.bin" "located at the file"
            Expect.stringContains e.Problem.Message message "message"
    finally
        Directory.Delete(dir, true)

/// A file whose frames cannot be written (the header can): a disk that filled up.
type private FullDisk() =
    inherit MemoryStream()
    let mutable writes = 0
    override this.Write(buffer: byte array, offset: int, count: int) =
        writes <- writes + 1
        if writes > 1 then raise (IOException "No space left on device")
        base.Write(buffer, offset, count)

let tests =
    testList
        "TraceFiles.TraceBin"
        [ test "a frame that cannot be written fails the caller (compression runs on other threads) and nothing hangs" {
              use disk = new FullDisk()
              use writer = new SeekableZstdWriter(disk)
              let data = Array.create (5 * SeekableZstdWriter.FrameSize) 7uy
              Expect.throwsT<IOException>
                  (fun () ->
                      writer.Write(ReadOnlySpan data)
                      writer.Finish())
                  "the write's IOException"
          }
          test "header, 2 MiB frames that decompress alone, a seek table adding up to the file, the events back" {
              let dir = temp ()
              try
                  let path = Path.Combine(dir, "trace.bin")
                  writeBin path manyEvents
                  let bytes = File.ReadAllBytes path
                  Expect.equal bytes.[..7] [| 0xC0uy; 0xDEuy; 0x72uy; 0xACuy; 0xE2uy; 0x01uy; 0x00uy; 0x00uy |] "header"
                  let entries = seekTable bytes
                  let cbor = Cbor.encodeEvents manyEvents
                  Expect.isGreaterThan entries.Length 2 "several frames"
                  for e in entries.[.. entries.Length - 2] do
                      Expect.equal (int e.Decompressed) SeekableZstdWriter.FrameSize "every frame but the last holds 2 MiB"
                  Expect.equal (entries |> Array.sumBy (fun e -> int64 e.Decompressed)) cbor.LongLength "decompressed sizes add up to the CBOR"
                  let tableSize = 8 + 8 * entries.Length + 9
                  Expect.equal (8L + (entries |> Array.sumBy (fun e -> int64 e.Compressed)) + int64 tableSize) bytes.LongLength "compressed sizes and the table are the file"
                  let tail = bytes.AsSpan(bytes.Length - tableSize)
                  Expect.equal (BinaryPrimitives.ReadUInt32LittleEndian tail) 0x184D2A5Eu "skippable magic"
                  Expect.equal (BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice 4)) (uint32 (8 * entries.Length + 9)) "frame size 8n+9"
                  Expect.equal (BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(tableSize - 9))) (uint32 entries.Length) "n"
                  Expect.equal tail.[tableSize - 5] 0uy "descriptor: no checksums"
                  Expect.equal (BinaryPrimitives.ReadUInt32LittleEndian(tail.Slice(tableSize - 4))) 0x8F92EAB1u "seekable magic"
                  // Each frame alone decompresses to its entry's bytes; together they are the CBOR.
                  use decompressor = new Decompressor()
                  let mutable offset = 8
                  let body = ResizeArray<byte>()
                  for e in entries do
                      let frame = decompressor.Unwrap(ReadOnlySpan(bytes, offset, int e.Compressed), int e.Decompressed).ToArray()
                      Expect.equal frame.Length (int e.Decompressed) "frame size"
                      body.AddRange frame
                      offset <- offset + int e.Compressed
                  Expect.isTrue (body.ToArray() = cbor) "the frames hold the CBOR events"
                  Expect.isTrue (List.ofSeq (TraceEventReader.Read path) = manyEvents) "the reader gives the events back"
              finally
                  Directory.Delete(dir, true)
          }
          testProperty "the seek table reads back what was written"
          <| fun (sizes: (uint32 * uint32) list) ->
              let entries = sizes |> List.map (fun (c, d) -> SeekEntry(c % 100_000u, d)) |> Array.ofList
              let table = SeekTable.Encode entries
              let frames = entries |> Array.sumBy (fun e -> int64 e.Compressed)
              let read offset (buffer: byte array) =
                  // The body is the frames (not needed here) and the table after them.
                  Array.blit table (int (offset - frames)) buffer 0 buffer.Length
              match SeekTable.Read(frames + int64 table.Length, Action<int64, byte array> read) with
              | back, null -> back = entries
              | _ -> false
          test "a wrong header, a missing seek table, frames that do not add up, a cut event: located problems" {
              let dir = temp ()
              try
                  let path = Path.Combine(dir, "trace.bin")
                  writeBin path [ Step(0, 1); Step(0, 2) ]
                  let good = File.ReadAllBytes path
                  let wrongVersion = Array.copy good
                  wrongVersion.[5] <- 0uy
                  unreadable wrongVersion "the header must be C0 DE 72 AC E2 01 00 00"
                  unreadable good.[.. good.Length - 2] "no seek table"
                  unreadable (Array.concat [ good.[..8]; [| 0uy |]; good.[9..] ]) "the seek table's frames take"
                  // One frame holding a Step cut in half.
                  let half = (Cbor.encodeEvent (Step(0, 1))).[..5]
                  use compressor = new Compressor(3)
                  let frame = compressor.Wrap(ReadOnlySpan half).ToArray()
                  let cut = Array.concat [ good.[..7]; frame; SeekTable.Encode [| SeekEntry(uint32 frame.Length, uint32 half.Length) |] ]
                  File.WriteAllBytes(path, cut)
                  let problem =
                      try
                          TraceEventReader.Read path |> Seq.iter ignore
                          None
                      with :? TraceUnreadableException as e -> Some(TraceProblem.render e.Problem)
                  Expect.equal problem (Some "event #0: the event is cut short (a truncated trace.bin)") "a cut event"
              finally
                  Directory.Delete(dir, true)
          } ]
