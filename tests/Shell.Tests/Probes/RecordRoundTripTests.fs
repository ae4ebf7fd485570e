/// The runtime writes each record by hand (it may depend on nothing) and Core's decoder reads it
/// by the record table: generated calls into the runtime's real writers, decoded by the real
/// decoder, give back exactly the records the calls mean, whole or cut into any chunks.
module CodeTracer.Shell.Tests.RecordRoundTripTests

open System
open System.Text.RegularExpressions
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes
open CodeTracer.Shell.Tests.RuntimeWriter

let private config = { FsCheckConfig.defaultConfig with maxTest = 100 }

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

let private keys (records: RawRecord list) =
    records
    |> List.map (function
        | RValue v -> "RValue " + keyOfValue v
        | other -> sprintf "%A" other)

// ---------------------------------------------------------------------------
// What the probe table says a probe writes.

/// The row of the record table a decoded record came from.
let private rowOf (r: RawRecord) =
    match r with
    | REnter _ -> RecordTable.enter
    | RStep _ -> RecordTable.step
    | RReturn -> RecordTable.ret
    | RWrite _ -> RecordTable.write
    | RDetach _ -> RecordTable.detach
    | RFault _ -> RecordTable.fault
    | RExit -> RecordTable.exit
    | RUnwind _ -> RecordTable.unwind
    | RAt _ -> RecordTable.at
    | RValue v ->
        match v with
        | RNull -> RecordTable.valNull
        | RInt _ -> RecordTable.valInt
        | RUInt _ -> RecordTable.valUInt
        | RDouble _ -> RecordTable.valDouble
        | RSingle _ -> RecordTable.valSingle
        | RBool _ -> RecordTable.valBool
        | RChar _ -> RecordTable.valChar
        | RString _ -> RecordTable.valString
        | RDecimal _ -> RecordTable.valDecimal
        | RSequence _ -> RecordTable.valSequence
        | RRawObject _ -> RecordTable.valRaw
        | REnum _ -> RecordTable.valEnum
        | RBoxed _ -> RecordTable.valBoxed
        | RStruct _ -> RecordTable.valStruct
        | RTuple _ -> RecordTable.valTuple
        | RVariant _ -> RecordTable.valVariant
        | RBigInt _ -> RecordTable.valBigInt
        | RRawText _ -> RecordTable.valRawText
        | RRedacted -> RecordTable.valRedacted
        | RDropped -> RecordTable.valDropped

/// The records after those `writes` describes at the start of `records` (None: they do not start so).
let rec private after (writes: Writes) (records: RawRecord list) =
    match writes, records with
    | Nothing, rs -> Some rs
    | Record row, r :: rs when rowOf r = row -> Some rs
    | RecordOrNull row, r :: rs when rowOf r = row || rowOf r = RecordTable.valNull -> Some rs
    | AnyValue, RValue _ :: rs -> Some rs
    | AtThen writes, RAt _ :: rs -> after writes rs
    | _ -> None

// ---------------------------------------------------------------------------
// Decoding helpers.

let private decodeAll (bytes: byte[]) = RawRecord.decodeChunk Map.empty bytes 0 bytes.Length

/// Decodes with the carry: each chunk is the previous chunk's unused tail plus the next part;
/// the type table is passed along. Returns the records and the bytes left over.
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

/// A generated recording: its calls, the bytes each wrote, and all of them.
type private Written = { Calls: Call list; Parts: byte[] list; Bytes: byte[] }

let private written : Gen<Written> =
    recorded
    |> Gen.map (fun r ->
        let parts = write r
        { Calls = calls r; Parts = parts; Bytes = Array.concat parts })

let private expected (w: Written) = w.Calls |> List.collect (fun c -> c.Expected)

let private cutInto (sizes: int list) (bytes: byte[]) : byte[] list =
    let rec go (pos: int) (sizes: int list) =
        match sizes with
        | _ when pos >= bytes.Length -> [ [||] ]
        | [] -> [ bytes.[pos..] ]
        | n :: rest ->
            let n = min n (bytes.Length - pos)
            bytes.[pos .. pos + n - 1] :: go (pos + n) rest
    go 0 sizes

/// Bytes that look a little like records: tags, length words at the edges, noise.
let private garbage : Gen<byte[]> =
    let word (v: int) = BitConverter.GetBytes v
    let edgeWord = Gen.elements [ 0; 1; 2; 7; 100; -1; Int32.MaxValue; Int32.MinValue; 0x40000000 ] |> Gen.map word
    let tag = Gen.elements (RecordTable.all |> List.map (fun r -> [| r.Tag |]))
    let piece = Gen.frequency [ 3, tag; 3, edgeWord; 2, Gen.choose (0, 255) |> Gen.map (fun b -> [| byte b |]) ]
    Gen.choose (0, 40) |> Gen.bind (fun n -> Gen.listOfLength n piece) |> Gen.map Array.concat

let private validTags = RecordTable.all |> List.map (fun r -> r.Tag)
let private badTags = [ 0uy .. 255uy ] |> List.filter (fun t -> not (List.contains t validTags))

let private noThrow (data: byte[]) =
    try
        decodeAll data |> ignore
    with ex ->
        failtestf "decodeChunk threw on %d bytes: %s\n%s" data.Length (ex.GetType().Name) (Convert.ToHexString data)

/// One recording of known calls, for the examples.
let private writeCalls (calls: Call list) =
    write { MethodId = 7; Calls = calls; Unwinds = None } |> Array.concat

let private objectCall (o: objnull) = { Name = "ValObject"; Probe = Some ProbeTable.valObject; Run = (fun _ -> CodeTracer.Runtime.Probe.ValObject o); Expected = [] }

let private examples =
    testList "examples" [
        test "a record cut at the end is left for the next chunk" {
            // Enter (5 bytes), then the boxed value (TypeDef, Boxed, Int).
            let bytes = writeCalls [ objectCall (box 5) ]
            match RawRecord.decodeChunk Map.empty bytes 0 (bytes.Length - 2) with
            | Ok(records, _, used) ->
                Expect.equal records [ REnter 7 ] "only the complete record"
                Expect.equal used 5 "bytes used"
            | Error e -> failtest e
        }
        test "a type announced in an earlier chunk names the values of a later one" {
            let action = Action ignore
            let bytes = writeCalls [ objectCall action; objectCall action ]
            // Enter (5), TypeDef + Raw, Raw (5), Return (1).
            let second = bytes.Length - 6
            match RawRecord.decodeChunk Map.empty bytes 0 second with
            | Ok(_, table, used) ->
                Expect.equal used second "first chunk used"
                let rest = bytes.[second..]
                let raw = RValue(RRawObject (nameOf typeof<Action>))
                Expect.equal (RawRecord.decodeChunk table rest 0 rest.Length) (Ok([ raw; RReturn ], table, rest.Length)) "with the table"
                Expect.equal (RawRecord.decodeChunk Map.empty rest 0 rest.Length) (Ok([ RValue(RRawObject "?"); RReturn ], Map.empty, rest.Length)) "without it"
            | Error e -> failtest e
        }
        test "a struct type's field names are announced once, then only values follow" {
            let point x = { Left = box x; Right = null }
            let one = writeCalls [ objectCall (point 1) ]
            let two = writeCalls [ objectCall (point 1); objectCall (point 2) ]
            // The second value: Struct tag, id, count, Boxed (5 bytes) with its Int (9), Null (1).
            Expect.equal (two.Length - one.Length) (1 + 4 + 4 + 5 + 9 + 1) "the second value's bytes"
            match decodeAll two with
            | Ok(records, _, _) ->
                let expected x = RValue(RStruct(nameOf typeof<Pair>, [ "Left", RBoxed("System.Int32", RInt x); "Right", RNull ]))
                Expect.equal records [ REnter 7; expected 1L; expected 2L; RReturn ] "field names restored"
            | Error e -> failtest e
        }
        test "a chunk cut inside a TypeDef's id leaves the earlier types alone" {
            let a, b = Action ignore, Func<int>(fun () -> 0)
            let bytes = writeCalls [ objectCall a; objectCall b; objectCall a ]
            let raw (o: objnull) = RValue(RRawObject(nameOf ((nonNull o).GetType())))
            // Enter, TypeDef 0 and Raw 0, then TypeDef 1: its tag, then its id.
            let firstEnd = 5 + (1 + 4 + 8 + 2 * (nameOf typeof<Action>).Length) + 5
            for cut in firstEnd + 1 .. firstEnd + 4 do
                match RawRecord.decodeChunk Map.empty bytes 0 cut with
                | Error e -> failtest e
                | Ok(first, table, used) ->
                    Expect.equal (first, used) ([ REnter 7; raw a ], firstEnd) "the first records"
                    Expect.equal (Map.tryFind 0 table) (Some (nameOf typeof<Action>)) (sprintf "type 0 after a cut at %d" cut)
                    let rest = bytes.[used..]
                    match RawRecord.decodeChunk table rest 0 rest.Length with
                    | Ok(second, _, _) -> Expect.equal (first @ second) [ REnter 7; raw a; raw b; raw a; RReturn ] (sprintf "records, cut at %d" cut)
                    | Error e -> failtest e
        }
        test "a Struct record whose type announced no field names is an Error" {
            let bytes = writeCalls [ objectCall { Left = null; Right = null } ]
            // Enter, the struct's TypeDef, then its FieldsDef, taken out.
            let typeDefEnd = 5 + 1 + 4 + 8 + 2 * (nameOf typeof<Pair>).Length
            let fieldsDefEnd = typeDefEnd + 1 + 4 + 4 + (8 + 2 * "Left".Length) + (8 + 2 * "Right".Length)
            let data = Array.append bytes.[.. typeDefEnd - 1] bytes.[fieldsDefEnd..]
            Expect.equal bytes.[fieldsDefEnd] RecordTable.valStruct.Tag "the Struct record follows"
            match decodeAll data with
            | Error _ -> ()
            | Ok(records, _, _) -> failtestf "Ok %A" records
        }
        test "the generated calls use every probe but the activation's and write every record but the program's end" {
            let samples = Gen.sampleWithSize 30 300 written
            let probes = samples |> Seq.collect (fun w -> w.Calls) |> Seq.choose (fun c -> c.Probe) |> Seq.map (fun p -> p.RuntimeMethod) |> Set.ofSeq
            let all = ProbeTable.all |> List.map (fun p -> p.RuntimeMethod) |> Set.ofList
            Expect.equal (all - probes) (Set.ofList [ "Activate"; "Deactivate" ]) "probes never called"
            let rows = samples |> Seq.collect expected |> Seq.map (fun r -> (rowOf r).Name) |> Set.ofSeq
            let everyRow = RecordTable.all |> List.map (fun r -> r.Name) |> Set.ofList
            // TypeDef and FieldsDef are read into the type table, not records.
            Expect.equal (everyRow - rows) (Set.ofList [ "Detach"; "Fault"; "Exit"; "TypeDef"; "FieldsDef" ]) "records never written"
        }
    ]

let private properties =
    testList "properties" [
        testPropertyWithConfig config "each call into the runtime's writers reads back as its records, the ones its probe row names"
        <| Prop.forAll (Arb.fromGen written) (fun w ->
            let mutable table = Map.empty
            for c, part in List.zip w.Calls w.Parts do
                match RawRecord.decodeChunk table part 0 part.Length with
                | Error e -> failtestf "%s: %s" c.Name e
                | Ok(records, table', used) ->
                    table <- table'
                    Expect.equal used part.Length (sprintf "%s: every byte used" c.Name)
                    Expect.equal (keys records) (keys c.Expected) c.Name
                    match c.Probe with
                    | Some row -> Expect.equal (after row.Writes records) (Some []) (sprintf "%s writes %A" c.Name row.Writes)
                    | None -> ())

        testPropertyWithConfig config "splitting the bytes anywhere and carrying the tail gives the same records"
        <| Prop.forAll (Arb.fromGen (written |> Gen.bind (fun w -> Gen.choose (0, w.Bytes.Length) |> Gen.map (fun k -> w, k)))) (fun (w, k) ->
            match RawRecord.decodeChunk Map.empty w.Bytes 0 k with
            | Error e -> failtestf "first part (%d of %d bytes): %s" k w.Bytes.Length e
            | Ok(first, table, used) ->
                Expect.isTrue (used >= 0 && used <= k) (sprintf "used %d of %d" used k)
                let second = w.Bytes.[used..]
                match RawRecord.decodeChunk table second 0 second.Length with
                | Error e -> failtestf "second part: %s" e
                | Ok(rest, _, used2) ->
                    Expect.equal (keys (first @ rest)) (keys (expected w)) (sprintf "records, split at %d" k)
                    Expect.equal used2 second.Length "the second part is used up")

        testPropertyWithConfig config "any cutting into chunks, with the carry, gives the same records and leaves nothing"
        <| Prop.forAll
            (Arb.fromGen (
                written
                |> Gen.bind (fun w ->
                    Gen.listOfLength (w.Bytes.Length / 3 + 2) (Gen.frequency [ 1, Gen.constant 0; 6, Gen.choose (1, 12); 1, Gen.choose (13, 200) ])
                    |> Gen.map (fun sizes -> w, sizes))))
            (fun (w, sizes) ->
                match decodeInParts (cutInto sizes w.Bytes) with
                | Ok(decoded, carry) ->
                    Expect.equal (keys decoded) (keys (expected w)) "records"
                    Expect.isEmpty carry "nothing left over"
                | Error e -> failtest e)

        testPropertyWithConfig config "a window of a larger buffer decodes as the bytes alone"
        <| Prop.forAll (Arb.fromGen (Gen.zip3 written garbage garbage)) (fun (w, before, after) ->
            let data = Array.concat [ before; w.Bytes; after ]
            match RawRecord.decodeChunk Map.empty data before.Length w.Bytes.Length with
            | Ok(decoded, _, used) ->
                Expect.equal (keys decoded) (keys (expected w)) "records"
                Expect.equal used w.Bytes.Length "every byte of the window used"
            | Error e -> failtest e)

        testPropertyWithConfig config "corrupted bytes give Ok or Error, never an exception"
        <| Prop.forAll
            (Arb.fromGen (
                written
                |> Gen.bind (fun w ->
                    Gen.listOfLength 3 (Gen.zip (Gen.choose (0, max 0 (w.Bytes.Length - 1))) (Gen.choose (0, 255)))
                    |> Gen.map (fun flips ->
                        let copy = Array.copy w.Bytes
                        for i, b in flips do
                            if i < copy.Length then copy.[i] <- byte b
                        copy))))
            noThrow

        testPropertyWithConfig config "a bad tag gives an Error naming its offset"
        <| Prop.forAll (Arb.fromGen (Gen.zip3 written (Gen.elements badTags) garbage)) (fun (w, tag, rest) ->
            let data = Array.concat [ w.Bytes; [| tag |]; rest ]
            match decodeAll data with
            | Ok(decoded, _, _) -> failtestf "Ok %A" decoded
            | Error message ->
                let m = Regex.Match(message, @"\d+")
                Expect.isTrue m.Success (sprintf "no offset in %s" message)
                let n = int m.Value
                Expect.isTrue (n = w.Bytes.Length || n = w.Bytes.Length + 1) (sprintf "%s (bad tag at %d)" message w.Bytes.Length))
    ]

let tests = testList "Probes.RecordRoundTrip" [ examples; properties ]
