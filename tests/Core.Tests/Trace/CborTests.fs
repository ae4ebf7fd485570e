/// trace.bin's events: the CBOR encoder against the spec's bytes, and the decoder
/// against the encoder and against trace.json's decoding of the same events.
module CodeTracer.Core.Tests.CborTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Core.Tests

let private config = { FsCheckConfig.defaultConfig with maxTest = 300 }

let private events = Gen.listOf Gens.event

let private rejects (body: byte array) (message: string) =
    match CborDecoder.decodeBody body with
    | Ok es -> failtestf "expected %s to be rejected, got %A" (Convert.ToHexString body) es
    | Result.Error p -> Expect.stringContains (TraceProblem.render p) message (Convert.ToHexString body)

let private hex (s: string) = Convert.FromHexString(s.Replace(" ", ""))

let tests =
    testList
        "Trace.Cbor"
        [ test "the spec's Step example, byte for byte" {
              Expect.equal
                  (Cbor.encodeEvent (Step(0, 14)))
                  (hex "A1 64 53 74 65 70 A2 67 70 61 74 68 5F 69 64 00 64 6C 69 6E 65 0E")
                  "Step {path_id 0, line 14}"
          }
          test "DropLastStep is a bare text string; a Float's f and a BigInt's b stay text" {
              Expect.equal (Cbor.encodeEvent DropLastStep) (Array.append [| 0x6Cuy |] (Text.Encoding.UTF8.GetBytes "DropLastStep")) "text"
              // The key "f" (61 66), then the text "2.5" (63 32 2E 35); the key "b", then "AQI=".
              Expect.stringContains (Convert.ToHexString(Cbor.encodeEvent (Return(Float("2.5", 3))))) ("6166" + "63322E35") "f"
              Expect.stringContains (Convert.ToHexString(Cbor.encodeEvent (Return(BigInt("AQI=", false, 14))))) ("6162" + "644151493D") "b"
          }
          testPropertyWithConfig config "every event is one definite-length one-entry map (A1), DropLastStep a text"
          <| Prop.forAll (Arb.fromGen Gens.event) (fun e ->
              let first = (Cbor.encodeEvent e).[0]
              Expect.equal first (if e = DropLastStep then 0x6Cuy else 0xA1uy) (sprintf "%A" e))
          testPropertyWithConfig config "decode (encode events) = events, strings sanitized"
          <| Prop.forAll (Arb.fromGen events) (fun es ->
              Expect.equal (CborDecoder.decodeBody (Cbor.encodeEvents es)) (Ok(List.map Sanitized.event es)) "round trip")
          testPropertyWithConfig config "trace.bin's events are exactly trace.json's"
          <| Prop.forAll (Arb.fromGen events) (fun es ->
              Expect.equal
                  (CborDecoder.decodeBody (Cbor.encodeEvents es))
                  (TraceDecoder.decodeEventsText (Json.encodeTrace es))
                  "same events")
          testPropertyWithConfig config "the hand-written encoder writes System.Formats.Cbor's bytes, also for values it copies from its cache"
          <| Prop.forAll (Arb.fromGen events) (fun es ->
              // The same event objects three times: seen, kept, then copied.
              let repeated = es @ es @ es
              Expect.equal (Cbor.encodeEvents repeated) (CborReference.encodeEvents repeated) "same bytes")
          testPropertyWithConfig config "trace.json's text is the same with composite values copied from the cache"
          <| Prop.forAll (Arb.fromGen events) (fun es ->
              let repeated = es @ es @ es
              let uncached = Json.arrayStart + String.Join(Json.separator, repeated |> List.map Json.encodeEvent) + Json.arrayEnd
              Expect.equal (Json.encodeTrace repeated) uncached "same text")
          testPropertyWithConfig config "cut anywhere into frames, the body decodes to the same events"
          <| Prop.forAll (Arb.fromGen (Gen.zip events (Gen.listOf (ArbMap.defaults |> ArbMap.generate<int>)))) (fun (es, cuts) ->
              let body = Cbor.encodeEvents es
              Expect.equal (Pieces.cbor body cuts) (Ok(List.map Sanitized.event es)) "pieces")
          test "what the loader rejects is rejected, located" {
              let step = Cbor.encodeEvent (Step(0, 14))
              rejects (Array.append [| 0xBFuy |] step.[1..]) "definite-length one-entry map"
              rejects (Array.append (hex "D9 D9 F7") step) "first byte 0xD9"
              rejects step.[.. step.Length - 2] "event #0: the event is cut short"
              rejects (Array.append step step.[.. 3]) "event #1: the event is cut short"
              // {"Return":{"return_value":{"kind":"Float","f":2.5 (a CBOR half float),"type_id":3}}}
              let float =
                  Cbor.encodeEvent (Return(Float("x", 3)))
                  |> Convert.ToHexString
                  |> fun h -> h.Replace("616661" + "78", "6166" + "F94100")
              rejects (Convert.FromHexString float) "a CBOR float"
              let bytes =
                  Cbor.encodeEvent (Return(BigInt("A", false, 3)))
                  |> Convert.ToHexString
                  |> fun h -> h.Replace("616261" + "41", "6162" + "4141")
              rejects (Convert.FromHexString bytes) "a byte string"
              rejects (hex "A1 64 53 74 65 70 A1 00 00") "a map key that is not text"
              rejects (hex "A1 64 53 74 65 70 A2 67 70 61 74 68 5F 69 64 00 64 6C 69 6E 65 FA 41 60 00 00") "a CBOR float"
              rejects (hex "A1 64 53 74 65 70 A1 64 6C 69 6E 65 0E") "event #0 (Step): Step lacks 'path_id'"
              rejects (hex "A1 65 53 74 65 70 70 A0") "unknown event 'Stepp'"
              rejects (hex "63 61 62 63") "exactly one key"
              let deep = Array.concat [ hex "A1 66 52 65 74 75 72 6E"; Array.create 300 0x81uy; [| 0x00uy |] ]
              rejects deep "nested deeper than 256"
          }
          test "an event cut at a piece's end is left for the next piece" {
              let body = Cbor.encodeEvents [ Step(0, 1); Step(0, 2) ]
              match CborDecoder.decodeEvents 0 false body 0 (body.Length - 3) with
              | Ok(es, used) ->
                  Expect.equal es [ Step(0, 1) ] "the whole first event"
                  Expect.equal used (body.Length / 2) "its bytes only"
              | Result.Error p -> failtest (TraceProblem.render p)
          } ]
