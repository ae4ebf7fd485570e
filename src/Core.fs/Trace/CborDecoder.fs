namespace CodeTracer.Core.Trace

open System
open System.Buffers
open System.Text.Encodings.Web
open System.Text.Json
open CodeTracer.Core.Common

/// Reading the decompressed body of trace.bin back into events. The CBOR rules of the
/// binary variant are checked here (definite lengths only, text keys, no tags, no floats,
/// no byte strings, nesting at most 256); each event is then rewritten as its JSON form
/// and read by TraceDecoder's event rules, so that both formats share one reader of event
/// structure and report the same problems. Pure: the bytes come from the caller, which
/// feeds them frame by frame.
[<RequireQualifiedAccess>]
module CborDecoder =

    /// How deep CBOR items may nest (the loader rejects deeper ones).
    [<Literal>]
    let MaxNesting = 256

    type private State =
        { Data: byte array
          Limit: int
          mutable Pos: int
          /// The first CBOR rule broken.
          mutable Problem: string option
          /// The item continues past Limit (in the next frame, or the file is cut short).
          mutable Incomplete: bool
          Writer: Utf8JsonWriter }

    let private fail (s: State) (message: string) : unit =
        if s.Problem.IsNone then s.Problem <- Some message

    let private going (s: State) : bool = s.Problem.IsNone && not s.Incomplete

    /// Reads the head of the item at Pos: major type, additional information, argument.
    /// Major type -1 when it cannot (Incomplete or Problem set).
    let private head (s: State) : struct (int * int * uint64) =
        if s.Pos >= s.Limit then
            s.Incomplete <- true
            struct (-1, 0, 0UL)
        else
            let initial = s.Data.[s.Pos]
            let info = int (initial &&& 0x1Fuy)
            let extra = if info < 24 then 0 elif info <= 27 then 1 <<< (info - 24) else -1
            if extra < 0 then
                fail s (
                    if info = 31 then "an indefinite-length item (trace.bin uses definite lengths only)"
                    else sprintf "malformed CBOR (initial byte 0x%02X)" initial
                )
                struct (-1, 0, 0UL)
            elif s.Pos + 1 + extra > s.Limit then
                s.Incomplete <- true
                struct (-1, 0, 0UL)
            else
                let mutable arg = if extra = 0 then uint64 info else 0UL
                for i in 1..extra do
                    arg <- (arg <<< 8) ||| uint64 s.Data.[s.Pos + i]
                s.Pos <- s.Pos + 1 + extra
                struct (int (initial >>> 5), info, arg)

    /// Start of the `length` bytes of a string's payload (Pos moves past them), or -1.
    let private payload (s: State) (length: uint64) : int =
        if length > uint64 (s.Limit - s.Pos) then
            s.Incomplete <- true
            -1
        else
            let start = s.Pos
            s.Pos <- s.Pos + int length
            start

    /// Start of the UTF-8 payload of a text item whose head was read, or -1 (a problem when
    /// it is not valid UTF-8).
    let private text (s: State) (length: uint64) : int =
        let start = payload s length
        if start >= 0 && not (Text.Unicode.Utf8.IsValid(ReadOnlySpan(s.Data, start, int length))) then
            fail s "a text string that is not valid UTF-8"
            -1
        else start

    /// Transcodes the item at Pos into the writer.
    let rec private item (s: State) (depth: int) : unit =
        if depth > MaxNesting then fail s (sprintf "items nested deeper than %d" MaxNesting)
        else
            let struct (major, info, arg) = head s
            match major with
            | -1 -> ()
            | 0 -> s.Writer.WriteNumberValue arg
            | 1 ->
                if arg <= uint64 Int64.MaxValue then s.Writer.WriteNumberValue(-1L - int64 arg)
                else s.Writer.WriteNumberValue(-1m - decimal arg)
            | 2 -> fail s "a byte string (trace.bin writes text; a BigInt's b is base64 text)"
            | 3 ->
                let start = text s arg
                if start >= 0 then s.Writer.WriteStringValue(ReadOnlySpan(s.Data, start, int arg))
            | 4 ->
                // Every element takes a byte at least: a longer count cannot be complete yet.
                if arg > uint64 (s.Limit - s.Pos) then s.Incomplete <- true
                else
                    s.Writer.WriteStartArray()
                    let mutable i = 0UL
                    while i < arg && going s do
                        item s (depth + 1)
                        i <- i + 1UL
                    s.Writer.WriteEndArray()
            | 5 ->
                if arg > uint64 (s.Limit - s.Pos) / 2UL then s.Incomplete <- true
                else
                    s.Writer.WriteStartObject()
                    let mutable i = 0UL
                    while i < arg && going s do
                        let struct (keyMajor, _, keyArg) = head s
                        if keyMajor = 3 then
                            let start = text s keyArg
                            if start >= 0 then
                                s.Writer.WritePropertyName(ReadOnlySpan(s.Data, start, int keyArg))
                                item s (depth + 1)
                        elif keyMajor >= 0 then fail s "a map key that is not text"
                        i <- i + 1UL
                    s.Writer.WriteEndObject()
            | 6 -> fail s "a tag (trace.bin uses none; a self-describe tag is rejected)"
            | _ ->
                match info with
                | 20 -> s.Writer.WriteBooleanValue false
                | 21 -> s.Writer.WriteBooleanValue true
                | 22 -> s.Writer.WriteNullValue()
                | 25
                | 26
                | 27 -> fail s "a CBOR float (trace.bin writes numbers as integers, a Float's f as text)"
                | _ -> fail s (sprintf "the CBOR simple value %d" arg)

    let private writerOptions =
        JsonWriterOptions(Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true)

    /// Where a problem of the `index`-th event is reported.
    let private at (index: int) : string = sprintf "event #%d" index

    /// The events encoded in `data[offset .. offset+count)`, numbered from `firstIndex`, and
    /// the bytes they took. An event cut at the end is left for the next call (with the
    /// next frame's bytes after it) unless `final`, where it is a truncated file.
    let decodeEvents
        (firstIndex: int)
        (final: bool)
        (data: byte array)
        (offset: int)
        (count: int)
        : Result<TraceEvent list * int, TraceProblem> =
        let json = ArrayBufferWriter<byte>(1024)
        use writer = new Utf8JsonWriter(json, writerOptions)
        let s =
            { Data = data
              Limit = offset + count
              Pos = offset
              Problem = None
              Incomplete = false
              Writer = writer }
        let events = ResizeArray<TraceEvent>()
        let mutable failure: TraceProblem option = None
        while failure.IsNone && not s.Incomplete && s.Pos < s.Limit do
            let start = s.Pos
            let index = firstIndex + events.Count
            let first = data.[start]
            // A one-entry map (A1), or a text string (DropLastStep; other texts are reported below).
            if first <> 0xA1uy && first >>> 5 <> 3uy then
                failure <-
                    Some(TraceProblem.create (at index) (sprintf "an event must be a definite-length one-entry map (first byte A1), got first byte 0x%02X" first))
            else
                json.ResetWrittenCount()
                writer.Reset()
                item s 1
                match s.Problem with
                | Some message -> failure <- Some(TraceProblem.create (at index) message)
                | None when s.Incomplete -> s.Pos <- start
                | None ->
                    writer.Flush()
                    use doc = JsonDocument.Parse(json.WrittenMemory, JsonFields.documentOptions)
                    match TraceDecoder.event index doc.RootElement with
                    | Ok e -> events.Add e
                    | Result.Error p -> failure <- Some p
        match failure with
        | Some p -> Result.Error p
        | None when final && s.Pos < s.Limit ->
            Result.Error(TraceProblem.create (at (firstIndex + events.Count)) "the event is cut short (a truncated trace.bin)")
        | None -> Ok(List.ofSeq events, s.Pos - offset)

    /// The events of a whole decompressed body (for tests and small traces; files are read frame by frame).
    let decodeBody (body: byte array) : Result<TraceEvent list, TraceProblem> =
        decodeEvents 0 true body 0 body.Length |> Result.map fst
