module CodeTracer.Core.Tests.RawRecordTests

open System
open System.Buffers.Binary
open Microsoft.FSharp.Reflection
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes

/// Runs the decoder and reports an exception as a failure (the decoder must never throw).
let private noThrow (data: byte[]) (offset: int) (count: int) =
    try
        match RawRecord.decodeChunk Map.empty data offset count with
        | Ok _
        | Error _ -> ()
    with ex ->
        failtestf "decodeChunk threw on %d bytes (offset %d, count %d): %s\n%s" data.Length offset count (ex.GetType().Name) (Convert.ToHexString data)

// ---------------------------------------------------------------------------
// Generators local to these tests.

let private config = Generators.config

/// The tags of the record table.
let private validTags = RecordTable.all |> List.map (fun r -> r.Tag)

/// Bytes that look a little like records: tags, length words at the edges, noise.
let private garbage : Gen<byte[]> =
    let word (v: int) =
        let a = Array.zeroCreate<byte> 4
        BinaryPrimitives.WriteInt32LittleEndian(Span a, v)
        a
    let edgeWord =
        Gen.elements [ 0; 1; 2; 3; -1; 7; 100; Int32.MaxValue; Int32.MinValue; 0x40000000; 0x3FFFFFFF; 0x7FFFFFF0; 28 <<< 16; 29 <<< 16 ]
        |> Gen.map word
    let tag = Gen.elements validTags |> Gen.map (fun t -> [| t |])
    let piece =
        Gen.frequency
            [ 3, tag
              3, edgeWord
              // A tag and the words of a header: ids, lengths, counts.
              3, Gen.map2 (fun t ws -> Array.concat (t :: ws)) tag (Gen.choose (1, 3) |> Gen.bind (fun n -> Gen.sequenceToList (List.replicate n edgeWord)))
              2, Gen.choose (0, 255) |> Gen.map (fun b -> [| byte b |]) ]
    Gen.sized (fun size ->
        gen {
            let! n = Gen.choose (0, size)
            let! pieces = Gen.sequenceToList (List.replicate n piece)
            return Array.concat pieces
        })

/// Bytes with an offset and a count, mostly inside the array, sometimes not.
let private garbageWindow : Gen<byte[] * int * int> =
    gen {
        let! data = garbage
        let! offset = Gen.frequency [ 4, Gen.choose (0, data.Length); 1, Gen.choose (-3, data.Length + 3) ]
        let! count =
            Gen.frequency
                [ 4, Gen.choose (0, max 0 (data.Length - max 0 offset))
                  1, Gen.choose (-3, data.Length + 3)
                  1, Gen.elements [ Int32.MaxValue; Int32.MinValue ] ]
        return data, offset, count
    }

// ---------------------------------------------------------------------------

let private exampleTests =
    testList
        "examples"
        [ test "string length fields near Int32.MaxValue give an Error, not an exception" {
              // A String record claiming 2^30 kept UTF-16 units (2^31 bytes) in a 9-byte chunk.
              let data = Array.concat [ [| RecordTable.valString.Tag |]; BitConverter.GetBytes Int32.MaxValue; BitConverter.GetBytes 0x40000000 ]
              let result =
                  try
                      RawRecord.decodeChunk Map.empty data 0 data.Length |> Choice1Of2
                  with ex -> Choice2Of2 ex
              match result with
              | Choice1Of2(Ok(records, _, used)) -> Expect.equal (records, used) ([], 0) "a cut record at most"
              | Choice1Of2(Error _) -> ()
              | Choice2Of2 ex -> failtestf "threw %s: %s" (ex.GetType().Name) ex.Message
          }
          test "the decoder reads every record of the table, each once" {
              Expect.equal (List.sortBy (fun r -> r.Tag) RawRecord.decodedRows) RecordTable.all "decoded rows"
          }
          test "a record's check refuses what no writer writes, and accepts its edge" {
              let i32 (v: int) = BitConverter.GetBytes v
              let decimalWith flags = Array.concat [ [| RecordTable.valDecimal.Tag |]; i32 1; i32 0; i32 0; i32 flags ]
              let sequence total kept = Array.concat [ [| RecordTable.valSequence.Tag |]; i32 0; i32 total; i32 kept; Array.replicate kept RecordTable.valNull.Tag ]
              let fieldsDef id count = Array.concat [ [| RecordTable.fieldsDef.Tag |]; i32 id; i32 count; [| RecordTable.valNull.Tag |] ]
              let decodes (bytes: byte[]) = Result.isOk (RawRecord.decodeChunk Map.empty bytes 0 bytes.Length)
              Expect.isTrue (decodes (decimalWith (28 <<< 16))) "scale 28"
              Expect.isFalse (decodes (decimalWith (29 <<< 16))) "scale 29"
              Expect.isFalse (decodes (decimalWith 1)) "bits outside the sign and scale"
              Expect.isTrue (decodes (sequence 2 2)) "all kept"
              Expect.isFalse (decodes (sequence 1 2)) "more kept than there are"
              Expect.isTrue (decodes (fieldsDef 0 0)) "no field"
              Expect.isFalse (decodes (fieldsDef 0 -1)) "a negative count"
              Expect.isFalse (decodes (fieldsDef -1 0)) "a negative type id"
          }
          test "chunk bounds outside the buffer give an Error" {
              let data = Array.zeroCreate<byte> 8
              for (offset, count) in [ -1, 1; 0, 9; 8, 1; 1, Int32.MaxValue; Int32.MaxValue, 1; 4, -1 ] do
                  match RawRecord.decodeChunk Map.empty data offset count with
                  | Error _ -> ()
                  | Ok(records, _, used) -> failtestf "offset %d count %d: Ok %A, %d bytes used" offset count records used
          } ]

let private generatorTests =
    testList
        "generators"
        [ test "raw values cover every case and nest" {
              let rec depth v =
                  match v with
                  | RSequence(_, _, items)
                  | RTuple(_, items)
                  | RVariant(_, _, items) -> 1 + (items |> List.map depth |> List.fold max 0)
                  | RStruct(_, fields) -> 1 + (fields |> List.map (snd >> depth) |> List.fold max 0)
                  | _ -> 0
              let samples = Gen.sampleWithSize 50 2000 Gens.rawValue
              let caseName (v: RawValue) = (FSharpValue.GetUnionFields(v, typeof<RawValue>) |> fst).Name
              let cases = samples |> Array.map caseName |> Set.ofArray
              let all = FSharpType.GetUnionCases typeof<RawValue> |> Array.map (fun c -> c.Name) |> Set.ofArray
              Expect.equal cases all (sprintf "all %d cases" all.Count)
              Expect.isGreaterThanOrEqual (samples |> Array.map depth |> Array.max) 3 "nesting"
          }
          test "garbage reaches the bad length words" {
              let samples = Gen.sampleWithSize 30 500 garbage
              let hasStringRecord (b: byte[]) = b |> Array.contains RecordTable.valString.Tag
              // About a fifth of samples hold one; half of that leaves no room for a chance failure.
              Expect.isGreaterThan (samples |> Array.filter hasStringRecord |> Array.length) 50 "String tags"
          } ]

let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig config "arbitrary bytes give Ok or Error, never an exception"
          <| Prop.forAll (Arb.fromGen garbageWindow) (fun (data, offset, count) -> noThrow data offset count)

          testPropertyWithConfig config "arbitrary bytes decoded from any offset give Ok or Error, never an exception"
          <| Prop.forAll (Arb.fromGen garbage) (fun data ->
              for offset in 0 .. data.Length do
                  noThrow data offset (data.Length - offset)) ]

let tests = testList "Probes.RawRecord" [ exampleTests; generatorTests; propertyTests ]
