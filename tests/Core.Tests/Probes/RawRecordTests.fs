module CodeTracer.Core.Tests.RawRecordTests

open System
open System.Buffers.Binary
open System.Collections.Generic
open System.Text.RegularExpressions
open Microsoft.FSharp.Reflection
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes

// ---------------------------------------------------------------------------
// Test-side encoder: the bytes the runtime writes (src/Runtime: ThreadBuffer,
// ObjectWriter, Probe, ConsoleCapture), little-endian, one thread.

/// One thread's buffer: the bytes so far and the TypeDef ids it announced.
type private RuntimeWriter() =
    let bytes = ResizeArray<byte>()
    let typeIds = Dictionary<string, int>()
    let fields = Dictionary<int, string list>()

    member _.Bytes = bytes.ToArray()

    /// The type table the reader should have built: id to name.
    member _.Types: RawRecord.TypeTable =
        Seq.append
            (typeIds |> Seq.map (fun kv -> kv.Value, kv.Key))
            (fields |> Seq.map (fun kv -> RawRecord.fieldsKey kv.Key, String.Join(string RawRecord.fieldSeparator, kv.Value)))
        |> Map.ofSeq

    member _.U8(b: byte) = bytes.Add b

    member _.U16(v: uint16) =
        let a = Array.zeroCreate<byte> 2
        BinaryPrimitives.WriteUInt16LittleEndian(Span a, v)
        bytes.AddRange a

    member _.I32(v: int) =
        let a = Array.zeroCreate<byte> 4
        BinaryPrimitives.WriteInt32LittleEndian(Span a, v)
        bytes.AddRange a

    member _.I64(v: int64) =
        let a = Array.zeroCreate<byte> 8
        BinaryPrimitives.WriteInt64LittleEndian(Span a, v)
        bytes.AddRange a

    /// `[int32 full][int32 kept][kept UTF-16 code units]` (ThreadBuffer.Text).
    member w.Text(kept: string, full: int) =
        w.I32 full
        w.I32 kept.Length
        for c in kept do
            w.U16(uint16 c)

    /// The thread's id of a runtime type, announced by a TypeDef record on first use
    /// (ObjectWriter.TypeId: before the record that uses it).
    member w.TypeId(name: string) =
        match typeIds.TryGetValue name with
        | true, id -> id
        | _ ->
            let id = typeIds.Count
            typeIds.[name] <- id
            w.U8 ProbeTable.typeDef.Tag
            w.I32 id
            w.Text(name, name.Length)
            id

    /// A Struct type's id, its field names announced by a FieldsDef record on first use
    /// (ObjectWriter.WriteStruct: after the TypeDef, before the Struct record).
    member w.StructTypeId(name: string, names: string list) =
        let id = w.TypeId name
        if not (fields.ContainsKey id) then
            fields.[id] <- names
            w.U8 ProbeTable.fieldsDef.Tag
            w.I32 id
            w.I32 names.Length
            for n in names do
                w.Text(n, n.Length)
        id

let rec private writeValue (w: RuntimeWriter) (v: RawValue) : unit =
    match v with
    | RNull -> w.U8 ProbeTable.valNull.Tag
    | RInt i ->
        w.U8 ProbeTable.valInt.Tag
        w.I64 i
    | RUInt u ->
        w.U8 ProbeTable.valUInt.Tag
        w.I64(int64 u)
    | RDouble d ->
        w.U8 ProbeTable.valDouble.Tag
        w.I64(BitConverter.DoubleToInt64Bits d)
    | RSingle f ->
        w.U8 ProbeTable.valSingle.Tag
        w.I32(BitConverter.SingleToInt32Bits f)
    | RBool b ->
        w.U8 ProbeTable.valBool.Tag
        w.U8(if b then 1uy else 0uy)
    | RChar c ->
        w.U8 ProbeTable.valChar.Tag
        w.U16(uint16 c)
    | RString(text, full) ->
        w.U8 ProbeTable.valString.Tag
        w.Text(text, full)
    | RDecimal m ->
        w.U8 ProbeTable.valDecimal.Tag
        for word in Decimal.GetBits m do
            w.I32 word
    | RSequence(name, total, items) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valSequence.Tag
        w.I32 id
        w.I32 total
        w.I32 items.Length
        for item in items do
            writeValue w item
    | RRawObject name ->
        let id = w.TypeId name
        w.U8 ProbeTable.valRaw.Tag
        w.I32 id
    | REnum(name, bits, names) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valEnum.Tag
        w.I32 id
        w.I64 bits
        w.Text(names, names.Length)
    | RBoxed(name, inner) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valBoxed.Tag
        w.I32 id
        writeValue w inner
    | RStruct(name, fieldValues) ->
        let id = w.StructTypeId(name, List.map fst fieldValues)
        w.U8 ProbeTable.valStruct.Tag
        w.I32 id
        w.I32 fieldValues.Length
        for _, v in fieldValues do
            writeValue w v
    | RTuple(name, items) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valTuple.Tag
        w.I32 id
        w.I32 items.Length
        for v in items do
            writeValue w v
    | RVariant(name, case, contents) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valVariant.Tag
        w.I32 id
        w.Text(case, case.Length)
        w.I32 contents.Length
        for v in contents do
            writeValue w v
    | RBigInt(name, negative, magnitude) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valBigInt.Tag
        w.I32 id
        w.U8(if negative then 1uy else 0uy)
        w.Text(magnitude, magnitude.Length)
    | RRawText(name, text) ->
        let id = w.TypeId name
        w.U8 ProbeTable.valRawText.Tag
        w.I32 id
        w.Text(text, text.Length)
    | RRedacted -> w.U8 ProbeTable.valRedacted.Tag
    | RDropped -> w.U8 ProbeTable.valDropped.Tag

let private writeRecord (w: RuntimeWriter) (r: RawRecord) : unit =
    match r with
    | REnter m ->
        w.U8 ProbeTable.enter.Tag
        w.I32 m
    | RStep s ->
        w.U8 ProbeTable.step.Tag
        w.I32 s
    | RReturn -> w.U8 ProbeTable.ret.Tag
    | RAt position ->
        w.U8 ProbeTable.at.Tag
        w.U16(uint16 position)
    | RWrite(stream, text) ->
        // ConsoleCapture.Record: the text is never cut, full = kept.
        w.U8 ProbeTable.write.Tag
        w.U8 stream
        w.Text(text, text.Length)
    | RUnwind(serial, description) ->
        // Probe.Unwind: the thread's throw serial, then `Type: message`, never cut.
        w.U8 ProbeTable.unwind.Tag
        w.I32 serial
        w.Text(description, description.Length)
    | RValue v -> writeValue w v
    | RDetach _
    | RFault _
    | RExit -> failwithf "not generated: %A" r

/// The bytes of one thread's records, and the type table they announce.
let private encode (records: RawRecord list) : byte[] * RawRecord.TypeTable =
    let w = RuntimeWriter()
    for r in records do
        writeRecord w r
    w.Bytes, w.Types

// ---------------------------------------------------------------------------
// Comparison: NaN payloads and decimal scale matter, so compare a canonical text.

let rec private keyOfValue (v: RawValue) : string =
    match v with
    | RDouble d -> sprintf "RDouble %016x" (BitConverter.DoubleToInt64Bits d)
    | RSingle f -> sprintf "RSingle %08x" (BitConverter.SingleToInt32Bits f)
    | RDecimal m -> sprintf "RDecimal %A" (Decimal.GetBits m)
    | RSequence(name, total, items) -> sprintf "RSequence(%A, %d, [%s])" name total (items |> List.map keyOfValue |> String.concat "; ")
    | RBoxed(name, inner) -> sprintf "RBoxed(%A, %s)" name (keyOfValue inner)
    | RStruct(name, fields) -> sprintf "RStruct(%A, [%s])" name (fields |> List.map (fun (n, v) -> n + "=" + keyOfValue v) |> String.concat "; ")
    | RTuple(name, items) -> sprintf "RTuple(%A, [%s])" name (items |> List.map keyOfValue |> String.concat "; ")
    | RVariant(name, case, items) -> sprintf "RVariant(%A, %A, [%s])" name case (items |> List.map keyOfValue |> String.concat "; ")
    | other -> sprintf "%A" other

let private keyOf (r: RawRecord) : string =
    match r with
    | RValue v -> "RValue " + keyOfValue v
    | other -> sprintf "%A" other

let private keys (records: RawRecord list) = List.map keyOf records

/// Decodes with the carry: each chunk is the previous chunk's unused tail plus
/// the next part; the type table is passed along. Returns the records and the
/// bytes left over at the end.
let private decodeInParts (parts: byte[] list) : Result<RawRecord list * byte[], string> =
    let folder (acc: Result<RawRecord list * RawRecord.TypeTable * byte[], string>) (part: byte[]) =
        match acc with
        | Error e -> Error e
        | Ok(records, table, carry) ->
            let chunk = Array.append carry part
            match RawRecord.decodeChunk table chunk 0 chunk.Length with
            | Error e -> Error e
            | Ok(rs, table', used) ->
                if used < 0 || used > chunk.Length then Error(sprintf "used %d of %d bytes" used chunk.Length)
                else Ok(records @ rs, table', chunk.[used..])
    match List.fold folder (Ok([], Map.empty, [||])) parts with
    | Ok(records, _, carry) -> Ok(records, carry)
    | Error e -> Error e

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

/// Records and a split point anywhere in their bytes (0 and the end included).
let private recordsAndSplit : Gen<RawRecord list * int> =
    gen {
        let! records = Gens.rawRecords
        let length = (fst (encode records)).Length
        let! k = Gen.choose (0, length)
        return records, k
    }

/// Records and the sizes of the parts their bytes are cut into (0 included).
let private recordsAndParts : Gen<RawRecord list * int list> =
    gen {
        let! records = Gens.rawRecords
        let length = (fst (encode records)).Length
        let! sizes = Gen.sequenceToList (List.replicate (length / 3 + 2) (Gen.frequency [ 1, Gen.constant 0; 6, Gen.choose (1, 12); 1, Gen.choose (13, 200) ]))
        return records, sizes
    }

let private cutInto (sizes: int list) (bytes: byte[]) : byte[] list =
    let rec go (pos: int) (sizes: int list) =
        match sizes with
        | _ when pos >= bytes.Length -> [ [||] ]
        | [] -> [ bytes.[pos..] ]
        | n :: rest ->
            let n = min n (bytes.Length - pos)
            bytes.[pos .. pos + n - 1] :: go (pos + n) rest
    go 0 sizes

/// The tags of the probe table (0 is `valObject`'s, which has no record).
let private validTags = ProbeTable.all |> List.map (fun r -> r.Tag) |> List.filter (fun t -> t <> 0uy)

let private badTags = [ 0uy .. 255uy ] |> List.filter (fun t -> not (List.contains t validTags))

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

/// A valid encoding with a few bytes overwritten.
let private mutated : Gen<byte[]> =
    gen {
        let! records = Gens.rawRecords
        let bytes, _ = encode records
        if bytes.Length = 0 then return bytes
        else
            let! flips = Gen.sequenceToList (List.replicate 3 (Gen.zip (Gen.choose (0, bytes.Length - 1)) (Gen.choose (0, 255))))
            let copy = Array.copy bytes
            for (i, b) in flips do
                copy.[i] <- byte b
            return copy
    }

/// Valid records, then a byte that is no tag, then anything.
let private withBadTag : Gen<RawRecord list * byte * byte[]> =
    Gen.map3 (fun r t g -> r, t, g) Gens.rawRecords (Gen.elements badTags) garbage

/// The number an error message names.
let private offsetIn (message: string) : int option =
    let m = Regex.Match(message, @"\d+")
    if m.Success then Some(int m.Value) else None

// ---------------------------------------------------------------------------

let private exampleTests =
    testList
        "examples"
        [ test "a record cut at the end is left for the next chunk" {
              let bytes, _ = encode [ RStep 7; RValue(RBoxed("System.Int32", RInt 5L)) ]
              // Step is 5 bytes; the boxed value (TypeDef, Boxed, Int) follows.
              match RawRecord.decodeChunk Map.empty bytes 0 (bytes.Length - 1) with
              | Ok(records, _, used) ->
                  Expect.equal records [ RStep 7 ] "only the complete record"
                  Expect.equal used 5 "bytes used"
              | Error e -> failtest e
          }
          test "a type announced in an earlier chunk names the values of a later one" {
              let bytes, _ = encode [ RValue(RRawObject "Demo.Cart"); RValue(RRawObject "Demo.Cart") ]
              let firstLength = (fst (encode [ RValue(RRawObject "Demo.Cart") ])).Length
              match RawRecord.decodeChunk Map.empty bytes 0 firstLength with
              | Ok(_, table, used) ->
                  Expect.equal used firstLength "first chunk used"
                  let rest = bytes.[firstLength..]
                  Expect.equal (RawRecord.decodeChunk table rest 0 rest.Length) (Ok([ RValue(RRawObject "Demo.Cart") ], table, rest.Length)) "with the table"
                  Expect.equal (RawRecord.decodeChunk Map.empty rest 0 rest.Length) (Ok([ RValue(RRawObject "?") ], Map.empty, rest.Length)) "without it"
              | Error e -> failtest e
          }
          test "a chunk cut inside a TypeDef's id leaves the earlier types alone" {
              // TypeDef 0 "A", Raw 0 (20 bytes), TypeDef 1 "B", Raw 1, Raw 0.
              let records = [ RValue(RRawObject "A"); RValue(RRawObject "B"); RValue(RRawObject "A") ]
              let bytes, _ = encode records
              for cut in 21..24 do
                  match RawRecord.decodeChunk Map.empty bytes 0 cut with
                  | Error e -> failtest e
                  | Ok(first, table, used) ->
                      Expect.equal (first, used) ([ RValue(RRawObject "A") ], 20) "the first record"
                      Expect.equal (Map.tryFind 0 table) (Some "A") (sprintf "type 0 after a cut at %d" cut)
                      let rest = bytes.[used..]
                      match RawRecord.decodeChunk table rest 0 rest.Length with
                      | Ok(second, _, _) -> Expect.equal (first @ second) records (sprintf "records, cut at %d" cut)
                      | Error e -> failtest e
          }
          test "a struct type's field names are announced once, then only values follow" {
              let point x = RValue(RStruct("Demo.Point", [ "X", RInt x; "Y", RNull ]))
              let bytes, _ = encode [ point 1L; point 2L ]
              let single = (fst (encode [ point 1L ])).Length
              // The second value: Struct tag, id, count, Int (9 bytes), Null (1 byte).
              Expect.equal (bytes.Length - single) (1 + 4 + 4 + 9 + 1) "the second value's bytes"
              match RawRecord.decodeChunk Map.empty bytes 0 bytes.Length with
              | Ok(records, _, _) -> Expect.equal records [ point 1L; point 2L ] "field names restored"
              | Error e -> failtest e
          }
          test "a Struct record whose type announced no field names is an Error" {
              // TypeDef 0 "P", then Struct 0 with one value, without FieldsDef.
              let bytes, _ = encode [ RValue(RRawObject "P") ]
              let typeDef = bytes.[0 .. bytes.Length - 6]
              let data = Array.concat [ typeDef; [| ProbeTable.valStruct.Tag |]; BitConverter.GetBytes 0; BitConverter.GetBytes 1; [| ProbeTable.valNull.Tag |] ]
              match RawRecord.decodeChunk Map.empty data 0 data.Length with
              | Error _ -> ()
              | Ok(records, _, _) -> failtestf "Ok %A" records
          }
          test "string length fields near Int32.MaxValue give an Error, not an exception" {
              // A String record claiming 2^30 kept UTF-16 units (2^31 bytes) in a 9-byte chunk.
              let data = Array.concat [ [| ProbeTable.valString.Tag |]; BitConverter.GetBytes Int32.MaxValue; BitConverter.GetBytes 0x40000000 ]
              let result =
                  try
                      RawRecord.decodeChunk Map.empty data 0 data.Length |> Choice1Of2
                  with ex -> Choice2Of2 ex
              match result with
              | Choice1Of2(Ok(records, _, used)) -> Expect.equal (records, used) ([], 0) "a cut record at most"
              | Choice1Of2(Error _) -> ()
              | Choice2Of2 ex -> failtestf "threw %s: %s" (ex.GetType().Name) ex.Message
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
              let hasStringRecord (b: byte[]) = b |> Array.contains ProbeTable.valString.Tag
              // About a fifth of samples hold one; half of that leaves no room for a chance failure.
              Expect.isGreaterThan (samples |> Array.filter hasStringRecord |> Array.length) 50 "String tags"
          } ]

let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig config "decoding what the runtime wrote gives the records back"
          <| Prop.forAll (Arb.fromGen Gens.rawRecords) (fun records ->
              let bytes, types = encode records
              match RawRecord.decodeChunk Map.empty bytes 0 bytes.Length with
              | Ok(decoded, table, used) ->
                  Expect.equal (keys decoded) (keys records) "records"
                  Expect.equal table types "type table"
                  Expect.equal used bytes.Length "every byte used"
              | Error e -> failtest e)

          testPropertyWithConfig config "a window of a larger buffer decodes as the bytes alone"
          <| Prop.forAll (Arb.fromGen (Gen.zip3 Gens.rawRecords garbage garbage)) (fun (records, before, after) ->
              let bytes, _ = encode records
              let data = Array.concat [ before; bytes; after ]
              match RawRecord.decodeChunk Map.empty data before.Length bytes.Length with
              | Ok(decoded, _, used) ->
                  Expect.equal (keys decoded) (keys records) "records"
                  Expect.equal used bytes.Length "every byte of the window used"
              | Error e -> failtest e)

          testPropertyWithConfig config "splitting the bytes anywhere and carrying the tail gives the same records"
          <| Prop.forAll (Arb.fromGen recordsAndSplit) (fun (records, k) ->
              let bytes, _ = encode records
              match RawRecord.decodeChunk Map.empty bytes 0 k with
              | Error e -> failtestf "first part (%d of %d bytes): %s" k bytes.Length e
              | Ok(first, table, used) ->
                  Expect.isTrue (used >= 0 && used <= k) (sprintf "used %d of %d" used k)
                  let second = bytes.[used..]
                  match RawRecord.decodeChunk table second 0 second.Length with
                  | Error e -> failtestf "second part: %s" e
                  | Ok(rest, _, used2) ->
                      Expect.equal (keys (first @ rest)) (keys records) (sprintf "records, split at %d" k)
                      Expect.equal used2 second.Length "the second part is used up")

          testPropertyWithConfig config "any cutting into chunks, with the carry, gives the same records and leaves nothing"
          <| Prop.forAll (Arb.fromGen recordsAndParts) (fun (records, sizes) ->
              let bytes, _ = encode records
              match decodeInParts (cutInto sizes bytes) with
              | Ok(decoded, carry) ->
                  Expect.equal (keys decoded) (keys records) "records"
                  Expect.isEmpty carry "nothing left over"
              | Error e -> failtest e)

          testPropertyWithConfig config "arbitrary bytes give Ok or Error, never an exception"
          <| Prop.forAll (Arb.fromGen garbageWindow) (fun (data, offset, count) -> noThrow data offset count)

          testPropertyWithConfig config "arbitrary bytes decoded from any offset give Ok or Error, never an exception"
          <| Prop.forAll (Arb.fromGen garbage) (fun data ->
              for offset in 0 .. data.Length do
                  noThrow data offset (data.Length - offset))

          testPropertyWithConfig config "corrupted encodings give Ok or Error, never an exception"
          <| Prop.forAll (Arb.fromGen mutated) (fun data -> noThrow data 0 data.Length)

          testPropertyWithConfig config "a bad tag gives an Error naming its offset"
          <| Prop.forAll (Arb.fromGen withBadTag) (fun (records, tag, rest) ->
              let prefix, _ = encode records
              let data = Array.concat [ prefix; [| tag |]; rest ]
              match RawRecord.decodeChunk Map.empty data 0 data.Length with
              | Ok(decoded, _, _) -> failtestf "Ok %A" decoded
              | Error message ->
                  match offsetIn message with
                  | Some n -> Expect.isTrue (n = prefix.Length || n = prefix.Length + 1) (sprintf "%s (bad tag at %d)" message prefix.Length)
                  | None -> failtestf "no offset in %s" message) ]

let tests = testList "Probes.RawRecord" [ exampleTests; generatorTests; propertyTests ]
