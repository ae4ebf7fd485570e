module CodeTracer.Core.Tests.Uuid7Tests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Recording

let private maxMillis = (1L <<< 48) - 1L

/// Timestamps over the whole 48-bit range, with the edges often.
let private millis : Gen<int64> =
    Gen.frequency
        [ 4, Gen.choose64 (0L, maxMillis)
          1, Gen.elements [ 0L; 1L; 255L; 256L; 1_700_000_000_000L; maxMillis - 1L; maxMillis ] ]

let private randomBytes : Gen<byte[]> =
    Gen.choose (0, 14)
    |> Gen.bind (fun n -> Gen.sequenceToArray (Array.replicate n (Gen.choose (0, 255) |> Gen.map byte)))

let private input = Arb.fromGen (Gen.zip millis randomBytes)

let private config = Generators.config

/// The 16 bytes of a hyphenated UUID text, in text order.
let private bytesOf (text: string) : byte[] =
    Convert.FromHexString(text.Replace("-", ""))

let private padTo10 (bytes: byte[]) =
    Array.init 10 (fun i -> if i < bytes.Length then bytes.[i] else 0uy)

let tests =
    testList
        "Recording.Uuid7"
        [ testPropertyWithConfig config "text is lowercase hyphenated, version 7, variant 10"
          <| Prop.forAll input (fun (ms, rnd) ->
              let text = Uuid7.create ms rnd
              Expect.equal text.Length 36 "length"
              for i in 0..35 do
                  if i = 8 || i = 13 || i = 18 || i = 23 then
                      Expect.equal text.[i] '-' (sprintf "hyphen at %d in %s" i text)
                  else
                      Expect.isTrue ("0123456789abcdef".Contains text.[i]) (sprintf "lowercase hex at %d in %s" i text)
              Expect.equal text.[14] '7' "version nibble"
              Expect.isTrue ("89ab".Contains text.[19]) "variant"
              let guid = Guid.Parse text
              Expect.equal guid.Version 7 "System.Guid sees version 7"
              Expect.equal (guid.Variant &&& 0xC) 0x8 "System.Guid sees the RFC 9562 variant"
              Expect.equal (guid.ToString()) text "System.Guid prints the same text")

          testPropertyWithConfig config "tryParseTimestamp gives back the timestamp"
          <| Prop.forAll input (fun (ms, rnd) ->
              Expect.equal (Uuid7.tryParseTimestamp (Uuid7.create ms rnd)) (Some ms) "timestamp")

          testPropertyWithConfig config "timestamp agrees with System.Guid.CreateVersion7"
          <| Prop.forAll (Arb.fromGen (Gen.choose64 (0L, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))) (fun ms ->
              let theirs = Guid.CreateVersion7(DateTimeOffset.FromUnixTimeMilliseconds ms).ToString()
              Expect.equal (Uuid7.tryParseTimestamp theirs) (Some ms) theirs
              Expect.equal ((Uuid7.create ms [||]).Substring(0, 13)) (theirs.Substring(0, 13)) "same timestamp digits")

          testPropertyWithConfig config "string order follows timestamp order"
          <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.zip millis randomBytes) (Gen.zip millis randomBytes))) (fun ((ms1, r1), (ms2, r2)) ->
              let order = String.CompareOrdinal(Uuid7.create ms1 r1, Uuid7.create ms2 r2)
              if ms1 <> ms2 then
                  Expect.equal (sign order) (sign (compare ms1 ms2)) "ordinal order")

          testPropertyWithConfig config "random bytes fill the rest; missing ones count as zero"
          <| Prop.forAll input (fun (ms, rnd) ->
              let text = Uuid7.create ms rnd
              let r = padTo10 rnd
              let b = bytesOf text
              Expect.equal (b.[6] &&& 0x0Fuy) (r.[0] &&& 0x0Fuy) "rand_a high nibble"
              Expect.equal b.[7] r.[1] "rand_a low byte"
              Expect.equal (b.[8] &&& 0x3Fuy) (r.[2] &&& 0x3Fuy) "rand_b top bits"
              Expect.equal b.[9..15] r.[3..9] "rand_b rest"
              Expect.equal text (Uuid7.create ms r) "padding with zeros")

          test "known value" {
              // RFC 9562 appendix A.6 example: 2022-02-22 19:22:22 UTC = 0x017F22E279B0 ms.
              let rnd = [| 0xCCuy; 0xC3uy; 0x98uy; 0xC4uy; 0xDCuy; 0x0Cuy; 0x0Cuy; 0x07uy; 0x39uy; 0x8Fuy |]
              Expect.equal (Uuid7.create 0x017F22E279B0L rnd) "017f22e2-79b0-7cc3-98c4-dc0c0c07398f" "RFC example"
          }

          test "short, empty and null random bytes do not throw" {
              let zeros = Uuid7.create 5L (Array.zeroCreate 10)
              Expect.equal (Uuid7.create 5L [||]) zeros "empty"
              Expect.equal (Uuid7.create 5L (Unchecked.defaultof<byte[]>)) zeros "null"
              Expect.equal (Uuid7.create 5L [| 0uy; 0uy; 0uy |]) zeros "three zeros"
              Expect.equal zeros "00000000-0005-7000-8000-000000000000" "zero random part"
          }

          test "only the low 48 bits of the timestamp are used" {
              Expect.equal (Uuid7.create ((1L <<< 48) + 5L) [||]) (Uuid7.create 5L [||]) "wraps"
          }

          test "tryParseTimestamp rejects what is not a v7 uuid text" {
              let good = Uuid7.create 1_700_000_000_000L [| 1uy; 2uy; 3uy; 4uy; 5uy; 6uy; 7uy; 8uy; 9uy; 10uy |]
              Expect.equal (Uuid7.tryParseTimestamp good) (Some 1_700_000_000_000L) "good"
              Expect.equal (Uuid7.tryParseTimestamp (good.ToUpperInvariant())) (Some 1_700_000_000_000L) "upper case"
              let replaceAt (i: int) (c: char) =
                  String(good.ToCharArray() |> Array.mapi (fun j x -> if j = i then c else x))
              let bad =
                  [ Guid.NewGuid().ToString(), "version 4"
                    replaceAt 14 '4', "version nibble"
                    replaceAt 19 'c', "variant 110"
                    replaceAt 19 '7', "variant 0"
                    replaceAt 3 'g', "not hex"
                    replaceAt 8 '0', "missing hyphen"
                    good.Replace("-", ""), "no hyphens"
                    "{" + good + "}", "braces"
                    good.Substring 1, "too short"
                    "", "empty"
                    Unchecked.defaultof<string>, "null" ]
              for text, why in bad do
                  Expect.isNone (Uuid7.tryParseTimestamp text) why
          } ]
