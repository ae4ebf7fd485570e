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

    /// Field names split once per chunk: by struct type id, the joined text they came from.
    type private FieldNames = Collections.Generic.Dictionary<int, struct (string * string list)>

    let rec private readValue (c: Cursor) (types: TypeTable byref) (fields: FieldNames) (depth: int) : RawValue =
        let tag = c.U8()
        if depth > maxNesting then
            c.Fail()
            RNull
        elif tag = ProbeTable.typeDef.Tag then
            let id = c.I32()
            let name, _ = c.Text()
            // A TypeDef cut by the chunk's end is read again with the next chunk.
            if not c.Failed then types <- Map.add id name types
            readValue c &types fields depth
        elif tag = ProbeTable.fieldsDef.Tag then
            let id = c.I32()
            let count = c.I32()
            if count < 0 || id < 0 then
                c.Fail()
                RNull
            else
                let names = ResizeArray<string>()
                while names.Count < count && not c.Failed do
                    names.Add(fst (c.Text()))
                if not c.Failed then types <- Map.add (fieldsKey id) (String.Join(string fieldSeparator, names)) types
                readValue c &types fields depth
        elif tag = ProbeTable.valNull.Tag then RNull
        elif tag = ProbeTable.valInt.Tag then RInt(c.I64())
        elif tag = ProbeTable.valUInt.Tag then RUInt(uint64 (c.I64()))
        elif tag = ProbeTable.valDouble.Tag then RDouble(BitConverter.Int64BitsToDouble(c.I64()))
        elif tag = ProbeTable.valSingle.Tag then RSingle(BitConverter.Int32BitsToSingle(c.I32()))
        elif tag = ProbeTable.valBool.Tag then RBool(c.U8() <> 0uy)
        elif tag = ProbeTable.valChar.Tag then RChar(char (c.U16()))
        elif tag = ProbeTable.valString.Tag then RString(c.Text())
        elif tag = ProbeTable.valDecimal.Tag then
            let bits = [| c.I32(); c.I32(); c.I32(); c.I32() |]
            // An invalid scale or sign word is corrupt input, not a decimal.
            let flags = bits.[3]
            if (flags &&& 0x7F00FFFF) <> 0 || ((flags >>> 16) &&& 0xFF) > 28 then
                c.Fail()
                RNull
            else
                RDecimal(Decimal(bits))
        elif tag = ProbeTable.valSequence.Tag then
            let name = typeName types (c.I32())
            let total = c.I32()
            let kept = c.I32()
            if kept < 0 || kept > total then
                c.Fail()
                RNull
            else
                let mutable items = []
                let mutable i = 0
                while i < kept && not c.Failed do
                    items <- readValue c &types fields (depth + 1) :: items
                    i <- i + 1
                RSequence(name, total, List.rev items)
        elif tag = ProbeTable.valRaw.Tag then RRawObject(typeName types (c.I32()))
        elif tag = ProbeTable.valEnum.Tag then
            let name = typeName types (c.I32())
            let bits = c.I64()
            let names, _ = c.Text()
            REnum(name, bits, names)
        elif tag = ProbeTable.valBoxed.Tag then
            let name = typeName types (c.I32())
            RBoxed(name, readValue c &types fields (depth + 1))
        elif tag = ProbeTable.valStruct.Tag then
            let id = c.I32()
            let name = typeName types id
            let count = c.I32()
            let names =
                match Map.tryFind (fieldsKey id) types with
                | Some joined ->
                    match fields.TryGetValue id with
                    | true, struct (text, split) when obj.ReferenceEquals(text, joined) -> Some split
                    | _ ->
                        let split = if joined = "" then [] else List.ofArray (joined.Split fieldSeparator)
                        fields.[id] <- struct (joined, split)
                        Some split
                | None -> None
            if c.Failed then RNull
            elif names.IsNone || names.Value.Length <> count then
                // Field values without their names: corrupt input.
                c.Fail()
                RNull
            else
                let values = readValues c &types fields depth count
                RStruct(name, List.zip (names.Value |> List.truncate values.Length) values)
        elif tag = ProbeTable.valTuple.Tag then
            let name = typeName types (c.I32())
            let count = c.I32()
            RTuple(name, readValues c &types fields depth count)
        elif tag = ProbeTable.valVariant.Tag then
            let name = typeName types (c.I32())
            let case, _ = c.Text()
            let count = c.I32()
            RVariant(name, case, readValues c &types fields depth count)
        elif tag = ProbeTable.valBigInt.Tag then
            let name = typeName types (c.I32())
            let negative = c.U8() <> 0uy
            let magnitude, _ = c.Text()
            RBigInt(name, negative, magnitude)
        elif tag = ProbeTable.valRawText.Tag then
            let name = typeName types (c.I32())
            RRawText(name, fst (c.Text()))
        elif tag = ProbeTable.valRedacted.Tag then RRedacted
        elif tag = ProbeTable.valDropped.Tag then RDropped
        else
            c.Fail()
            RNull

    /// `count` nested values (a negative count is corrupt input).
    and private readValues (c: Cursor) (types: TypeTable byref) (fields: FieldNames) (depth: int) (count: int) : RawValue list =
        if count < 0 then
            c.Fail()
            []
        else
            let mutable items = []
            let mutable i = 0
            while i < count && not c.Failed do
                items <- readValue c &types fields (depth + 1) :: items
                i <- i + 1
            List.rev items

    /// The `At` records of the first positions, shared (a step writes one before each value).
    let private ats = Array.init 256 RAt

    /// Decodes the complete records of one thread's bytes, given its type table
    /// so far. Returns the records, the new table and how many bytes they used:
    /// a record cut at the end continues in the thread's next chunk. Malformed
    /// bytes give an error naming the offset, never an exception.
    let decodeChunk (types: TypeTable) (data: byte[]) (offset: int) (count: int) : Result<RawRecord list * TypeTable * int, string> =
        if offset < 0 || count < 0 || count > data.Length - offset then
            Error "chunk bounds outside the buffer"
        else
            let c = Cursor(data, offset, offset + count)
            let mutable table = types
            let fields = FieldNames()
            // Built in order (one cell per record, no reversal): this runs for every record.
            let mutable records = ListCollector<RawRecord>()
            let mutable complete = offset
            while not c.AtEnd && not c.Failed do
                let start = c.Position
                complete <- start
                let tag = data.[start]
                let record =
                    if tag = ProbeTable.enter.Tag then
                        c.U8() |> ignore
                        REnter(c.I32())
                    elif tag = ProbeTable.step.Tag then
                        c.U8() |> ignore
                        RStep(c.I32())
                    elif tag = ProbeTable.ret.Tag then
                        c.U8() |> ignore
                        RReturn
                    elif tag = ProbeTable.write.Tag then
                        c.U8() |> ignore
                        let stream = c.U8()
                        let text, _ = c.Text()
                        RWrite(stream, text)
                    elif tag = ProbeTable.detach.Tag then
                        c.U8() |> ignore
                        RDetach(fst (c.Text()))
                    elif tag = ProbeTable.exit.Tag then
                        c.U8() |> ignore
                        RExit
                    elif tag = ProbeTable.fault.Tag then
                        c.U8() |> ignore
                        RFault(fst (c.Text()))
                    elif tag = ProbeTable.unwind.Tag then
                        c.U8() |> ignore
                        let serial = c.I32()
                        RUnwind(serial, fst (c.Text()))
                    elif tag = ProbeTable.at.Tag then
                        c.U8() |> ignore
                        let position = int (c.U16())
                        if position < ats.Length then ats.[position] else RAt position
                    else
                        RValue(readValue c &table fields 0)
                // A record cut by the chunk's end is decoded again with the next chunk.
                if not c.Short then records.Add record
            if c.Short then Ok(records.Close(), table, complete - offset)
            elif c.Failed then
                Error(sprintf "malformed raw record near byte %d of the chunk" (c.Position - offset))
            else
                Ok(records.Close(), table, count)
