/// trace.bin's events as System.Formats.Cbor's writer encodes them (the encoder of the first
/// trace.bin): the reference the hand-written `Cbor` encoder must match byte for byte.
module CodeTracer.Core.Tests.CborReference

open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open System.Formats.Cbor


/// A writer for a stream of events: Lax (no key sorting or duplicate checks, which would
/// cost per map), definite lengths, many top-level items one after the other.
let createWriter () : CborWriter =
    CborWriter(CborConformanceMode.Lax, convertIndefiniteLengthEncodings = false, allowMultipleRootLevelValues = true)

/// Text as UTF-8: lone surrogates become U+FFFD (the writer would refuse them), null is "".
let private text (w: CborWriter) (s: string) : unit =
    w.WriteTextString(if obj.ReferenceEquals(s, null) then "" else JsonText.sanitize s)

let private int (w: CborWriter) (key: string) (v: int) : unit =
    w.WriteTextString key
    w.WriteInt32 v

let private typeId (w: CborWriter) (t: int) : unit =
    int w "type_id" t
    w.WriteEndMap()

/// Opens a value map of `entries` keys with its `kind`.
let private kind (w: CborWriter) (entries: int) (name: string) : unit =
    w.WriteStartMap(System.Nullable entries)
    w.WriteTextString "kind"
    w.WriteTextString name

/// Writes one value record (the `V` of the spec), keys in the JSON encoder's order.
let rec writeValue (w: CborWriter) (value: ValueRecord) : unit =
    match value with
    | Int(i, t) ->
        kind w 3 "Int"
        w.WriteTextString "i"
        w.WriteInt64 i
        typeId w t
    | BigInt(magnitude, negative, t) ->
        kind w 4 "BigInt"
        w.WriteTextString "b"
        text w magnitude
        w.WriteTextString "negative"
        w.WriteBoolean negative
        typeId w t
    | Float(f, t) ->
        kind w 3 "Float"
        w.WriteTextString "f"
        text w f
        typeId w t
    | Bool(b, t) ->
        kind w 3 "Bool"
        w.WriteTextString "b"
        w.WriteBoolean b
        typeId w t
    | String(s, t) ->
        kind w 3 "String"
        w.WriteTextString "text"
        text w s
        typeId w t
    | Char(c, t) ->
        kind w 3 "Char"
        w.WriteTextString "c"
        text w c
        typeId w t
    | Sequence(elements, isSlice, t) ->
        kind w 4 "Sequence"
        w.WriteTextString "elements"
        writeValues w elements
        w.WriteTextString "is_slice"
        w.WriteBoolean isSlice
        typeId w t
    | Tuple(elements, t) ->
        kind w 3 "Tuple"
        w.WriteTextString "elements"
        writeValues w elements
        typeId w t
    | Struct(fieldValues, t) ->
        kind w 3 "Struct"
        w.WriteTextString "field_values"
        writeValues w fieldValues
        typeId w t
    | Variant(discriminator, contents, t) ->
        kind w 4 "Variant"
        w.WriteTextString "discriminator"
        text w discriminator
        w.WriteTextString "contents"
        writeValue w contents
        typeId w t
    | Raw(r, t) ->
        kind w 3 "Raw"
        w.WriteTextString "r"
        text w r
        typeId w t
    | Error(msg, t) ->
        kind w 3 "Error"
        w.WriteTextString "msg"
        text w msg
        typeId w t
    | NoneValue t ->
        kind w 2 "None"
        typeId w t

and private writeValues (w: CborWriter) (values: ValueRecord list) : unit =
    w.WriteStartArray(System.Nullable(List.length values))
    for v in values do
        writeValue w v
    w.WriteEndArray()

let private writeSpecificInfo (w: CborWriter) (info: TypeSpecificInfo) : unit =
    match info with
    | NoInfo ->
        w.WriteStartMap(System.Nullable 1)
        w.WriteTextString "kind"
        w.WriteTextString "None"
        w.WriteEndMap()
    | StructInfo fields ->
        w.WriteStartMap(System.Nullable 2)
        w.WriteTextString "kind"
        w.WriteTextString "Struct"
        w.WriteTextString "fields"
        w.WriteStartArray(System.Nullable(List.length fields))
        for name, t in fields do
            w.WriteStartMap(System.Nullable 2)
            w.WriteTextString "name"
            text w name
            int w "type_id" t
            w.WriteEndMap()
        w.WriteEndArray()
        w.WriteEndMap()
    | PointerInfo dereferenceTypeId ->
        w.WriteStartMap(System.Nullable 2)
        w.WriteTextString "kind"
        w.WriteTextString "Pointer"
        int w "dereference_type_id" dereferenceTypeId
        w.WriteEndMap()

/// Opens an event: the one-entry map (A1) and its name; the body follows.
let private named (w: CborWriter) (name: string) : unit =
    w.WriteStartMap(System.Nullable 1)
    w.WriteTextString name

/// Opens an event whose body is a map of `entries` keys.
let private body (w: CborWriter) (name: string) (entries: int) : unit =
    named w name
    w.WriteStartMap(System.Nullable entries)

/// Closes the body map and the event map.
let private close (w: CborWriter) : unit =
    w.WriteEndMap()
    w.WriteEndMap()

/// Writes one event as one top-level CBOR item.
let writeEvent (w: CborWriter) (event: TraceEvent) : unit =
    match event with
    | Path path ->
        named w "Path"
        text w path
        w.WriteEndMap()
    | Function(pathId, line, name) ->
        body w "Function" 3
        int w "path_id" pathId
        int w "line" line
        w.WriteTextString "name"
        text w name
        close w
    | Type(k, langType, specific) ->
        body w "Type" 3
        int w "kind" k
        w.WriteTextString "lang_type"
        text w langType
        w.WriteTextString "specific_info"
        writeSpecificInfo w specific
        close w
    | VariableName name ->
        named w "VariableName"
        text w name
        w.WriteEndMap()
    | Call(functionId, args) ->
        body w "Call" 2
        int w "function_id" functionId
        w.WriteTextString "args"
        w.WriteStartArray(System.Nullable(List.length args))
        for variableId, value in args do
            w.WriteStartMap(System.Nullable 2)
            int w "variable_id" variableId
            w.WriteTextString "value"
            writeValue w value
            w.WriteEndMap()
        w.WriteEndArray()
        close w
    | Step(pathId, line) ->
        body w "Step" 2
        int w "path_id" pathId
        int w "line" line
        close w
    | Value(variableId, value) ->
        body w "Value" 2
        int w "variable_id" variableId
        w.WriteTextString "value"
        writeValue w value
        close w
    | Return returnValue ->
        body w "Return" 1
        w.WriteTextString "return_value"
        writeValue w returnValue
        close w
    | IoEvent(k, metadata, content) ->
        body w "Event" 3
        int w "kind" k
        w.WriteTextString "metadata"
        text w metadata
        w.WriteTextString "content"
        text w content
        close w
    | ThreadStart threadId ->
        named w "ThreadStart"
        w.WriteInt64 threadId
        w.WriteEndMap()
    | ThreadSwitch threadId ->
        named w "ThreadSwitch"
        w.WriteInt64 threadId
        w.WriteEndMap()
    | ThreadExit threadId ->
        named w "ThreadExit"
        w.WriteInt64 threadId
        w.WriteEndMap()
    | DropLastStep -> w.WriteTextString "DropLastStep"

/// The decompressed body of a trace.bin: the events back to back.
let encodeEvents (events: TraceEvent seq) : byte array =
    let w = createWriter ()
    for e in events do
        writeEvent w e
    // The writer refuses to encode nothing.
    if w.BytesWritten = 0 then [||] else w.Encode()
