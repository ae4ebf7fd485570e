/// Feeding a trace file to a decoder in pieces, as the shell's reader does with frames
/// and blocks: each piece after the bytes the previous one left unfinished.
module CodeTracer.Core.Tests.Pieces

open CodeTracer.Core.Common
open CodeTracer.Core.Trace

/// The events `decode` gives for `body` cut at `cuts` (taken modulo the length). `decode`
/// gets whether the piece is the last, and the bytes (carried ones first); it answers the
/// events and the bytes they took.
let decode (decode: bool -> byte array -> Result<TraceEvent list * int, TraceProblem>) (body: byte array) (cuts: int list) =
    let bounds =
        (0 :: (cuts |> List.map (fun c -> abs (c % (body.Length + 1))) |> List.sort)) @ [ body.Length ]
        |> List.distinct
    let rec go (pending: byte array) (pieces: (int * int) list) (acc: TraceEvent list) =
        match pieces with
        | [] -> decode true pending |> Result.map (fun (es, _) -> acc @ es)
        | (a, b) :: rest ->
            let data = Array.append pending body.[a .. b - 1]
            match decode false data with
            | Result.Error p -> Result.Error p
            | Ok(es, used) -> go data.[used..] rest (acc @ es)
    go [||] (List.pairwise bounds) []

/// trace.bin's CBOR body in pieces.
let cbor (body: byte array) (cuts: int list) =
    let next = ref 0
    decode
        (fun final data ->
            CborDecoder.decodeEvents next.Value final data 0 data.Length
            |> Result.map (fun (es, used) ->
                next.Value <- next.Value + es.Length
                es, used))
        body
        cuts

/// trace.json in pieces.
let json (body: byte array) (cuts: int list) =
    let state = ref TraceDecoder.jsonStart
    decode
        (fun final data ->
            TraceDecoder.decodeJsonPiece state.Value final data 0 data.Length
            |> Result.map (fun (es, used, after) ->
                state.Value <- after
                es, used))
        body
        cuts
