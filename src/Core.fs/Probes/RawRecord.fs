namespace CodeTracer.Core.Probes

open System
open Microsoft.FSharp.Core.CompilerServices

/// A value as the runtime wrote it, before it gets trace types.
type RawValue =
    | RNull
    | RInt of int64
    | RUInt of uint64
    | RDouble of double
    | RSingle of float32
    | RBool of bool
    | RChar of char
    /// The kept text and the length of the whole string (longer when cut).
    | RString of text: string * fullLength: int
    | RDecimal of decimal
    | RSequence of typeName: string * total: int * items: RawValue list
    | RRawObject of typeName: string
    | REnum of typeName: string * bits: int64 * names: string
    | RBoxed of typeName: string * value: RawValue
    /// A class, struct or record: its fields by name, in declaration order (base type's first).
    | RStruct of typeName: string * fields: (string * RawValue) list
    /// A tuple (ValueTuple, Tuple, a dictionary entry).
    | RTuple of typeName: string * items: RawValue list
    /// An F# union case: its name and its fields' values.
    | RVariant of typeName: string * caseName: string * contents: RawValue list
    /// BigInteger, Int128, UInt128: sign and base64 of the big-endian magnitude.
    | RBigInt of typeName: string * negative: bool * magnitudeBase64: string
    /// A value not read, with a description (`<cycle>`, `<depth limit>`).
    | RRawText of typeName: string * text: string
    /// A field redacted by the filter (its value never read).
    | RRedacted
    /// A field dropped by the filter (its value never read).
    | RDropped

/// One record of the raw log (TypeDef records are resolved while decoding).
type RawRecord =
    | REnter of methodId: int
    | RStep of siteId: int
    | RReturn
    | RWrite of stream: byte * text: string
    | RDetach of reason: string
    | RFault of description: string
    | RExit
    /// An exception left the running method: the thread's throw serial (shared by the
    /// frames one throw unwinds) and `Type: message`.
    | RUnwind of serial: int * description: string
    /// The next value is the variable at this position of the coming step's site.
    | RAt of position: int
    | RValue of RawValue

/// Decoding of one thread's chunk of raw records, following the probe table.
[<RequireQualifiedAccess>]
module RawRecord =
    /// Runtime type names announced so far on one thread, by their per-thread id;
    /// a Struct type's field names (FieldsDef) under the key `fieldsKey id`, joined by
    /// `fieldSeparator`.
    type TypeTable = Map<int, string>

    /// Where a type's field names are kept in the TypeTable (type ids are never negative).
    let fieldsKey (typeId: int) = -1 - typeId

    /// Joins field names in the TypeTable (no field name contains a NUL).
    let fieldSeparator = '\000'

    // A cursor over the chunk; reads past the end set Failed instead of throwing.
    type private Cursor(data: byte[], start: int, stop: int) =
        let mutable pos = start
        let mutable failed = false
        let mutable short = false
        member _.AtEnd = pos >= stop
        /// A read went past the end: the record continues in the thread's next chunk.
        member _.Short = short
        member _.Failed = failed || short
        member _.Position = pos
        member private _.Take(n: int) =
            if failed || short then -1
            elif n < 0 then
                // A length field so large that its byte count overflows: corrupt input.
                failed <- true
                -1
            elif n > stop - pos then
                short <- true
                -1
            else
                let p = pos
                pos <- pos + n
                p
        member c.U8() = match c.Take 1 with -1 -> 0uy | p -> data.[p]
        member c.U16() = match c.Take 2 with -1 -> 0us | p -> BitConverter.ToUInt16(data, p)
        member c.I32() = match c.Take 4 with -1 -> 0 | p -> BitConverter.ToInt32(data, p)
        member c.I64() = match c.Take 8 with -1 -> 0L | p -> BitConverter.ToInt64(data, p)
        member c.Text() : string * int =
            let full = c.I32()
            let kept = c.I32()
            if kept < 0 || full < kept then
                failed <- true
                "", 0
            else
                match c.Take(2 * kept) with
                | -1 -> "", 0
                | p -> String(Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(ReadOnlySpan<byte>(data, p, 2 * kept))), full
        member _.Fail() = failed <- true

    let private typeName (types: TypeTable) id =
        match Map.tryFind id types with
        | Some n -> n
        | None -> "?"

    /// The runtime nests values at most max_depth deep; far deeper means corrupt input.
    let private maxNesting = 64

    /// One record's fields as its row's payload lists them (reused: one per nesting depth).
    type private Fields() =
        /// The integer fields (U8, U16, I32, I64, TypeId, DecimalBits' words), in order.
        member val Numbers: int64[] = Array.zeroCreate 8
        /// The Text fields' kept text and full length, in order.
        member val Texts: string[] = Array.zeroCreate 2
        member val Lengths: int[] = Array.zeroCreate 2
        /// The nested value(s).
        member val Values: RawValue list = [] with get, set
        /// The name of the TypeId field's type, found when it was read.
        member val Type = "" with get, set
        /// The Texts field.
        member val Names = ResizeArray<string>()
        /// A Struct's field names, found by its check.
        member val FieldNames: string list = [] with get, set

    /// Field names split once per chunk: by struct type id, the joined text they came from.
    type private FieldNames = Collections.Generic.Dictionary<int, struct (string * string list)>

    /// The decoding of one chunk: its cursor, the thread's type table so far, scratch fields.
    type private Decoding(cursor: Cursor, types: TypeTable) =
        member _.Cursor = cursor
        member val Types = types with get, set
        member val Split = FieldNames()
        member val Fields = Array.init (maxNesting + 2) (fun _ -> Fields())

        /// A Struct type's field names, announced by its FieldsDef.
        member d.FieldNamesOf(id: int) : string list option =
            match Map.tryFind (fieldsKey id) d.Types with
            | Some joined ->
                match d.Split.TryGetValue id with
                | true, struct (text, split) when obj.ReferenceEquals(text, joined) -> Some split
                | _ ->
                    let split = if joined = "" then [] else List.ofArray (joined.Split fieldSeparator)
                    d.Split.[id] <- struct (joined, split)
                    Some split
            | None -> None


    /// How the fields of a record become what it means.
    type private Meaning =
        /// A record of its own (Enter, Step...).
        | Top of (Fields -> RawRecord)
        /// A value. `check` is asked before the repeated fields (or at the end): false means corrupt input.
        | Value of check: (Decoding -> Fields -> bool) * build: (Decoding -> Fields -> RawValue)
        /// Tells the reader about a type; the value that names it follows.
        | Announce of check: (Decoding -> Fields -> bool) * announce: (Decoding -> Fields -> unit)
        /// No record has this tag.
        | Unknown

    let private always = fun (_: Decoding) (_: Fields) -> true
    let private value build = Value(always, build)

    /// The `At` records of the first positions, shared (a step writes one before each value).
    let private ats = Array.init 256 RAt

    /// What every row of the record table means: the decoder reads its fields by the row's payload.
    let private meanings : (RecordRow * Meaning) list =
        [ RecordTable.enter, Top(fun f -> REnter(int f.Numbers.[0]))
          RecordTable.step, Top(fun f -> RStep(int f.Numbers.[0]))
          RecordTable.ret, Top(fun _ -> RReturn)
          RecordTable.write, Top(fun f -> RWrite(byte f.Numbers.[0], f.Texts.[0]))
          RecordTable.detach, Top(fun f -> RDetach f.Texts.[0])
          RecordTable.fault, Top(fun f -> RFault f.Texts.[0])
          RecordTable.exit, Top(fun _ -> RExit)
          RecordTable.unwind, Top(fun f -> RUnwind(int f.Numbers.[0], f.Texts.[0]))
          RecordTable.at, Top(fun f -> let p = int f.Numbers.[0] in if p < ats.Length then ats.[p] else RAt p)
          // A TypeDef or FieldsDef cut by the chunk's end is read again with the next chunk.
          RecordTable.typeDef, Announce(always, fun d f -> d.Types <- Map.add (int f.Numbers.[0]) f.Texts.[0] d.Types)
          RecordTable.fieldsDef,
          Announce(
              (fun _ f -> f.Numbers.[0] >= 0L && f.Numbers.[1] >= 0L),
              fun d f -> d.Types <- Map.add (fieldsKey (int f.Numbers.[0])) (String.Join(string fieldSeparator, f.Names)) d.Types)
          RecordTable.valNull, value (fun _ _ -> RNull)
          RecordTable.valInt, value (fun _ f -> RInt f.Numbers.[0])
          RecordTable.valUInt, value (fun _ f -> RUInt(uint64 f.Numbers.[0]))
          RecordTable.valDouble, value (fun _ f -> RDouble(BitConverter.Int64BitsToDouble f.Numbers.[0]))
          RecordTable.valSingle, value (fun _ f -> RSingle(BitConverter.Int32BitsToSingle(int f.Numbers.[0])))
          RecordTable.valBool, value (fun _ f -> RBool(f.Numbers.[0] <> 0L))
          RecordTable.valChar, value (fun _ f -> RChar(char f.Numbers.[0]))
          RecordTable.valString, value (fun _ f -> RString(f.Texts.[0], f.Lengths.[0]))
          RecordTable.valDecimal,
          // An invalid scale or sign word is corrupt input, not a decimal.
          Value(
              (fun _ f ->
                  let flags = int f.Numbers.[3]
                  (flags &&& 0x7F00FFFF) = 0 && ((flags >>> 16) &&& 0xFF) <= 28),
              fun _ f -> RDecimal(Decimal [| int f.Numbers.[0]; int f.Numbers.[1]; int f.Numbers.[2]; int f.Numbers.[3] |]))
          RecordTable.valSequence,
          Value(
              (fun _ f -> f.Numbers.[2] >= 0L && f.Numbers.[2] <= f.Numbers.[1]),
              fun _ f -> RSequence(f.Type, int f.Numbers.[1], f.Values))
          RecordTable.valRaw, value (fun _ f -> RRawObject(f.Type))
          RecordTable.valEnum, value (fun _ f -> REnum(f.Type, f.Numbers.[1], f.Texts.[0]))
          RecordTable.valBoxed, value (fun _ f -> RBoxed(f.Type, List.head f.Values))
          RecordTable.valStruct,
          // Field values without their names: corrupt input.
          Value(
              (fun d f ->
                  match d.FieldNamesOf(int f.Numbers.[0]) with
                  | Some names when names.Length = int f.Numbers.[1] ->
                      f.FieldNames <- names
                      true
                  | _ -> false),
              fun _ f -> RStruct(f.Type, List.zip f.FieldNames f.Values))
          RecordTable.valTuple, value (fun _ f -> RTuple(f.Type, f.Values))
          RecordTable.valVariant, value (fun _ f -> RVariant(f.Type, f.Texts.[0], f.Values))
          RecordTable.valBigInt, value (fun _ f -> RBigInt(f.Type, f.Numbers.[1] <> 0L, f.Texts.[0]))
          RecordTable.valRawText, value (fun _ f -> RRawText(f.Type, f.Texts.[0]))
          RecordTable.valRedacted, value (fun _ _ -> RRedacted)
          RecordTable.valDropped, value (fun _ _ -> RDropped) ]

    /// The rows the decoder reads, each once (a test checks they are the whole table).
    let decodedRows = meanings |> List.map fst

    /// By tag: the row's payload and meaning.
    let private payloads = Array.create 256 ([||]: PayloadField array)
    let private byTag = Array.create 256 Unknown

    do
        for row, meaning in meanings do
            payloads.[int row.Tag] <- Array.ofList row.Payload
            byTag.[int row.Tag] <- meaning

    let private isRepeated field =
        match field with
        | NestedValue
        | NestedValues
        | Texts -> true
        | _ -> false

    /// Reads the fields of the record of `tag` (its tag byte already read) into `f`, asking
    /// `check` before the repeated fields; false when the check refused them.
    let rec private readFields (d: Decoding) (tag: byte) (check: Decoding -> Fields -> bool) (f: Fields) (depth: int) : bool =
        let c = d.Cursor
        let payload = payloads.[int tag]
        let mutable n = 0
        let mutable t = 0
        let mutable i = 0
        let mutable ok = true
        let mutable asked = false
        while ok && i < payload.Length && not c.Failed do
            let field = payload.[i]
            if isRepeated field && not asked then
                asked <- true
                ok <- check d f
            if ok then
                match field with
                | U8 ->
                    f.Numbers.[n] <- int64 (c.U8())
                    n <- n + 1
                | U16 ->
                    f.Numbers.[n] <- int64 (c.U16())
                    n <- n + 1
                | I32 ->
                    f.Numbers.[n] <- int64 (c.I32())
                    n <- n + 1
                | TypeId ->
                    let id = c.I32()
                    f.Numbers.[n] <- int64 id
                    f.Type <- typeName d.Types id
                    n <- n + 1
                | I64 ->
                    f.Numbers.[n] <- c.I64()
                    n <- n + 1
                | DecimalBits ->
                    for _ in 1..4 do
                        f.Numbers.[n] <- int64 (c.I32())
                        n <- n + 1
                | Text ->
                    let text, full = c.Text()
                    f.Texts.[t] <- text
                    f.Lengths.[t] <- full
                    t <- t + 1
                | NestedValue -> f.Values <- [ readValue d (depth + 1) ]
                | NestedValues -> f.Values <- readValues d depth (int f.Numbers.[n - 1])
                | Texts ->
                    let count = int f.Numbers.[n - 1]
                    f.Names.Clear()
                    while f.Names.Count < count && not c.Failed do
                        f.Names.Add(fst (c.Text()))
            i <- i + 1
        // A check is asked once the fields it reads are whole.
        if ok && not asked && not c.Failed then ok <- check d f
        ok

    and private readValue (d: Decoding) (depth: int) : RawValue =
        let c = d.Cursor
        let tag = c.U8()
        if depth > maxNesting then
            c.Fail()
            RNull
        else
            let f = d.Fields.[depth]
            match byTag.[int tag] with
            | Value(check, build) ->
                if not (readFields d tag check f depth) then
                    if not c.Failed then c.Fail()
                    RNull
                elif c.Failed then RNull
                else build d f
            | Announce(check, announce) ->
                if not (readFields d tag check f depth) then
                    if not c.Failed then c.Fail()
                    RNull
                elif c.Failed then RNull
                else
                    announce d f
                    readValue d depth
            | Top _
            | Unknown ->
                c.Fail()
                RNull

    /// `count` nested values (a negative count is corrupt input).
    and private readValues (d: Decoding) (depth: int) (count: int) : RawValue list =
        let c = d.Cursor
        if count < 0 then
            c.Fail()
            []
        else
            let mutable items = []
            let mutable i = 0
            while i < count && not c.Failed do
                items <- readValue d (depth + 1) :: items
                i <- i + 1
            List.rev items

    /// Decodes the complete records of one thread's bytes, given its type table
    /// so far. Returns the records, the new table and how many bytes they used:
    /// a record cut at the end continues in the thread's next chunk. Malformed
    /// bytes give an error naming the offset, never an exception.
    let decodeChunk (types: TypeTable) (data: byte[]) (offset: int) (count: int) : Result<RawRecord list * TypeTable * int, string> =
        if offset < 0 || count < 0 || count > data.Length - offset then
            Error "chunk bounds outside the buffer"
        else
            let c = Cursor(data, offset, offset + count)
            let d = Decoding(c, types)
            let top = d.Fields.[0]
            // Built in order (one cell per record, no reversal): this runs for every record.
            let mutable records = ListCollector<RawRecord>()
            let mutable complete = offset
            while not c.AtEnd && not c.Failed do
                let start = c.Position
                complete <- start
                let tag = data.[start]
                let record =
                    match byTag.[int tag] with
                    | Top build ->
                        c.U8() |> ignore
                        readFields d tag always top 0 |> ignore
                        build top
                    | _ -> RValue(readValue d 0)
                // A record cut by the chunk's end is decoded again with the next chunk.
                if not c.Short then records.Add record
            if c.Short then Ok(records.Close(), d.Types, complete - offset)
            elif c.Failed then
                Error(sprintf "malformed raw record near byte %d of the chunk" (c.Position - offset))
            else
                Ok(records.Close(), d.Types, count)
