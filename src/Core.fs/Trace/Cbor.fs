namespace CodeTracer.Core.Trace

open System
open System.Buffers.Binary
open System.Text
open CodeTracer.Core.Common

/// A growable in-memory byte buffer that trace.bin's CBOR is written into.
[<Sealed>]
type CborBuffer(capacity: int) =
    let mutable bytes: byte array = Array.zeroCreate (max 64 capacity)
    let mutable length = 0

    /// Bytes written so far (the first `Length` of `Bytes`).
    member _.Length = length
    member _.Bytes = bytes
    member _.Written = ReadOnlySpan<byte>(bytes, 0, length)
    member _.Reset() = length <- 0

    /// Room for `n` more bytes, growing by doubling.
    member _.Ensure(n: int) =
        if length + n > bytes.Length then
            let grown: byte array = Array.zeroCreate (max (length + n) (2 * bytes.Length))
            Buffer.BlockCopy(bytes, 0, grown, 0, length)
            bytes <- grown

    member b.Byte(x: byte) =
        b.Ensure 1
        bytes.[length] <- x
        length <- length + 1

    member b.Raw(data: byte array) =
        b.Ensure data.Length
        Buffer.BlockCopy(data, 0, bytes, length, data.Length)
        length <- length + data.Length

    /// A head: major type and argument, in the shortest form (as CBOR's preferred serialization).
    member b.Head(major: int, value: uint64) =
        b.Ensure 9
        let m = byte (major <<< 5)
        if value < 24UL then
            bytes.[length] <- m ||| byte value
            length <- length + 1
        elif value <= 0xFFUL then
            bytes.[length] <- m ||| 24uy
            bytes.[length + 1] <- byte value
            length <- length + 2
        elif value <= 0xFFFFUL then
            bytes.[length] <- m ||| 25uy
            BinaryPrimitives.WriteUInt16BigEndian(Span<byte>(bytes, length + 1, 2), uint16 value)
            length <- length + 3
        elif value <= 0xFFFFFFFFUL then
            bytes.[length] <- m ||| 26uy
            BinaryPrimitives.WriteUInt32BigEndian(Span<byte>(bytes, length + 1, 4), uint32 value)
            length <- length + 5
        else
            bytes.[length] <- m ||| 27uy
            BinaryPrimitives.WriteUInt64BigEndian(Span<byte>(bytes, length + 1, 8), value)
            length <- length + 9

    /// An integer: major type 0, or 1 with -1 - v when negative.
    member b.Int(v: int64) =
        if v >= 0L then b.Head(0, uint64 v) else b.Head(1, uint64 (-1L - v))

    /// Text as UTF-8 (already free of lone surrogates).
    member b.Text(s: string) =
        let n = Encoding.UTF8.GetByteCount s
        b.Head(3, uint64 n)
        b.Ensure n
        Encoding.UTF8.GetBytes(s.AsSpan(), Span<byte>(bytes, length, n)) |> ignore
        length <- length + n

    member _.ToArray() = bytes.[0 .. length - 1]

/// The CBOR events of trace.bin (shared/spec/trace-format.md, "The binary variant"): each
/// event one definite-length one-entry map from its name to a body with exactly the keys
/// and values of the JSON form (Json), `DropLastStep` a bare text string. Floats' `f` and
/// BigInts' `b` stay text, as the loader requires. Hand-written into a `CborBuffer`: the
/// keys and event heads are constant bytes, copied rather than encoded per event, and the
/// integers and lengths take CBOR's shortest form, byte for byte what System.Formats.Cbor's
/// writer gives (a test compares them).
[<RequireQualifiedAccess>]
module Cbor =

    /// The bytes of a text string item.
    let private textItem (s: string) : byte array =
        let b = CborBuffer(s.Length + 9)
        b.Text s
        b.ToArray()

    /// Several items' bytes back to back: heads (given as bytes) and text strings.
    let private bytesOf (parts: obj list) : byte array =
        let b = CborBuffer(64)
        for p in parts do
            match p with
            | :? string as s -> b.Text s
            | :? byte as x -> b.Byte x
            | _ -> invalidArg (nameof parts) "heads and text only"
        b.ToArray()

    /// `{"kind": name, ...` of a value map with `entries` keys.
    let private kind (entries: int) (name: string) = bytesOf [ byte (0xA0 + entries); "kind"; name ]
    let private kInt = kind 3 "Int"
    let private kBigInt = kind 4 "BigInt"
    let private kFloat = kind 3 "Float"
    let private kBool = kind 3 "Bool"
    let private kString = kind 3 "String"
    let private kChar = kind 3 "Char"
    let private kSequence = kind 4 "Sequence"
    let private kTuple = kind 3 "Tuple"
    let private kStruct = kind 3 "Struct"
    let private kVariant = kind 4 "Variant"
    let private kRaw = kind 3 "Raw"
    let private kError = kind 3 "Error"
    let private kNone = kind 2 "None"
    let private keyI = textItem "i"
    let private keyB = textItem "b"
    let private keyF = textItem "f"
    let private keyC = textItem "c"
    let private keyR = textItem "r"
    let private keyText = textItem "text"
    let private keyMsg = textItem "msg"
    let private keyNegative = textItem "negative"
    let private keyElements = textItem "elements"
    let private keyIsSlice = textItem "is_slice"
    let private keyFieldValues = textItem "field_values"
    let private keyDiscriminator = textItem "discriminator"
    let private keyContents = textItem "contents"
    let private keyTypeId = textItem "type_id"
    let private keyName = textItem "name"
    let private keyPathId = textItem "path_id"
    let private keyLine = textItem "line"
    let private keyValue = textItem "value"
    let private keyVariableId = textItem "variable_id"
    let private keyKind = textItem "kind"
    let private keyLangType = textItem "lang_type"
    let private keySpecificInfo = textItem "specific_info"
    let private keyMetadata = textItem "metadata"
    let private keyContent = textItem "content"
    let private keyArgs = textItem "args"
    let private keyFunctionId = textItem "function_id"
    let private keyReturnValue = textItem "return_value"
    let private keyFields = textItem "fields"
    let private keyDereference = textItem "dereference_type_id"
    let private infoNone = bytesOf [ 0xA1uy; "kind"; "None" ]
    let private infoStruct = bytesOf [ 0xA2uy; "kind"; "Struct" ]
    let private infoPointer = bytesOf [ 0xA2uy; "kind"; "Pointer" ]

    /// `{name: ` of an event whose body is a single item, or `{name: {` of a map of `entries` keys.
    let private named (name: string) = bytesOf [ 0xA1uy; name ]
    let private body (name: string) (entries: int) = bytesOf [ 0xA1uy; name; byte (0xA0 + entries) ]
    let private ePath = named "Path"
    let private eFunction = body "Function" 3
    let private eType = body "Type" 3
    let private eVariableName = named "VariableName"
    let private eCall = body "Call" 2
    let private eStep = body "Step" 2
    let private eValue = body "Value" 2
    let private eReturn = body "Return" 1
    let private eEvent = body "Event" 3
    let private eThreadStart = named "ThreadStart"
    let private eThreadSwitch = named "ThreadSwitch"
    let private eThreadExit = named "ThreadExit"
    let private eDropLastStep = textItem "DropLastStep"
    let private argHead = 0xA2uy

    /// Text as UTF-8: lone surrogates become U+FFFD (CBOR text must be valid UTF-8), null is "".
    let private text (b: CborBuffer) (s: string) : unit =
        b.Text(if obj.ReferenceEquals(s, null) then "" else JsonText.sanitize s)

    let private bool (b: CborBuffer) (v: bool) = b.Byte(if v then 0xF5uy else 0xF4uy)

    let private typeId (b: CborBuffer) (t: int) : unit =
        b.Raw keyTypeId
        b.Int(int64 t)

    /// Writes one value record (the `V` of the spec), keys in the JSON encoder's order.
    let rec private writeValueTo (b: CborBuffer) (value: ValueRecord) : unit =
        match value with
        | Int(i, t) ->
            b.Raw kInt
            b.Raw keyI
            b.Int i
            typeId b t
        | BigInt(magnitude, negative, t) ->
            b.Raw kBigInt
            b.Raw keyB
            text b magnitude
            b.Raw keyNegative
            bool b negative
            typeId b t
        | Float(f, t) ->
            b.Raw kFloat
            b.Raw keyF
            text b f
            typeId b t
        | Bool(v, t) ->
            b.Raw kBool
            b.Raw keyB
            bool b v
            typeId b t
        | String(s, t) ->
            b.Raw kString
            b.Raw keyText
            text b s
            typeId b t
        | Char(c, t) ->
            b.Raw kChar
            b.Raw keyC
            text b c
            typeId b t
        | Sequence(elements, isSlice, t) ->
            b.Raw kSequence
            b.Raw keyElements
            writeValues b elements
            b.Raw keyIsSlice
            bool b isSlice
            typeId b t
        | Tuple(elements, t) ->
            b.Raw kTuple
            b.Raw keyElements
            writeValues b elements
            typeId b t
        | Struct(fieldValues, t) ->
            b.Raw kStruct
            b.Raw keyFieldValues
            writeValues b fieldValues
            typeId b t
        | Variant(discriminator, contents, t) ->
            b.Raw kVariant
            b.Raw keyDiscriminator
            text b discriminator
            b.Raw keyContents
            writeValueTo b contents
            typeId b t
        | Raw(r, t) ->
            b.Raw kRaw
            b.Raw keyR
            text b r
            typeId b t
        | Error(msg, t) ->
            b.Raw kError
            b.Raw keyMsg
            text b msg
            typeId b t
        | NoneValue t ->
            b.Raw kNone
            typeId b t

    and private writeValues (b: CborBuffer) (values: ValueRecord list) : unit =
        b.Head(4, uint64 (List.length values))
        for v in values do
            writeValueTo b v

    /// Writes a value, copying the bytes of a composite value already encoded (see `EncodedValues`).
    let writeValue (b: CborBuffer) (cache: EncodedValues<byte array>) (value: ValueRecord) : unit =
        if EncodedValues<byte array>.IsComposite value then
            let mutable seen = false
            match cache.Find(value, &seen) with
            | null ->
                let start = b.Length
                writeValueTo b value
                if seen then cache.Keep(value, b.Written.Slice(start).ToArray())
            | bytes -> b.Raw bytes
        else writeValueTo b value

    let private writeSpecificInfo (b: CborBuffer) (info: TypeSpecificInfo) : unit =
        match info with
        | NoInfo -> b.Raw infoNone
        | StructInfo fields ->
            b.Raw infoStruct
            b.Raw keyFields
            b.Head(4, uint64 (List.length fields))
            for name, t in fields do
                b.Byte 0xA2uy
                b.Raw keyName
                text b name
                typeId b t
        | PointerInfo dereferenceTypeId ->
            b.Raw infoPointer
            b.Raw keyDereference
            b.Int(int64 dereferenceTypeId)

    /// Writes one event as one top-level CBOR item.
    let writeEvent (b: CborBuffer) (cache: EncodedValues<byte array>) (event: TraceEvent) : unit =
        match event with
        | Step(pathId, line) ->
            b.Raw eStep
            b.Raw keyPathId
            b.Int(int64 pathId)
            b.Raw keyLine
            b.Int(int64 line)
        | Value(variableId, value) ->
            b.Raw eValue
            b.Raw keyVariableId
            b.Int(int64 variableId)
            b.Raw keyValue
            writeValue b cache value
        | Path path ->
            b.Raw ePath
            text b path
        | Function(pathId, line, name) ->
            b.Raw eFunction
            b.Raw keyPathId
            b.Int(int64 pathId)
            b.Raw keyLine
            b.Int(int64 line)
            b.Raw keyName
            text b name
        | Type(k, langType, specific) ->
            b.Raw eType
            b.Raw keyKind
            b.Int(int64 k)
            b.Raw keyLangType
            text b langType
            b.Raw keySpecificInfo
            writeSpecificInfo b specific
        | VariableName name ->
            b.Raw eVariableName
            text b name
        | Call(functionId, args) ->
            b.Raw eCall
            b.Raw keyFunctionId
            b.Int(int64 functionId)
            b.Raw keyArgs
            b.Head(4, uint64 (List.length args))
            for variableId, value in args do
                b.Byte argHead
                b.Raw keyVariableId
                b.Int(int64 variableId)
                b.Raw keyValue
                writeValue b cache value
        | Return returnValue ->
            b.Raw eReturn
            b.Raw keyReturnValue
            writeValue b cache returnValue
        | IoEvent(k, metadata, content) ->
            b.Raw eEvent
            b.Raw keyKind
            b.Int(int64 k)
            b.Raw keyMetadata
            text b metadata
            b.Raw keyContent
            text b content
        | ThreadStart threadId ->
            b.Raw eThreadStart
            b.Int threadId
        | ThreadSwitch threadId ->
            b.Raw eThreadSwitch
            b.Int threadId
        | ThreadExit threadId ->
            b.Raw eThreadExit
            b.Int threadId
        | DropLastStep -> b.Raw eDropLastStep

    /// A cache of the size encoders use: 4096 values.
    let createCache () = EncodedValues<byte array>(4096)

    /// The CBOR bytes of one event, e.g. Step(0, 14) is `A1 64 53 74 65 70 A2 ...`.
    let encodeEvent (event: TraceEvent) : byte array =
        let b = CborBuffer(64)
        writeEvent b (createCache ()) event
        b.ToArray()

    /// The decompressed body of a trace.bin: the events back to back.
    let encodeEvents (events: TraceEvent seq) : byte array =
        let b = CborBuffer(4096)
        let cache = createCache ()
        for e in events do
            writeEvent b cache e
        b.ToArray()
