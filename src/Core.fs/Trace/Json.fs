namespace CodeTracer.Core.Trace

open System
open System.Globalization
open System.Text
open CodeTracer.Core.Common

/// The JSON text of trace.json (shared/spec/trace-format.md): compact events, values
/// and the array framing (strings: `JsonText`). Pure: no IO, no culture dependence.
[<RequireQualifiedAccess>]
module Json =

    /// Text that opens the trace.json array (before the first event).
    [<Literal>]
    let arrayStart = "[\n"

    /// Text written between two events of the array: one event per line.
    [<Literal>]
    let separator = ",\n"

    /// Text that closes the trace.json array (after the last event).
    [<Literal>]
    let arrayEnd = "\n]\n"

    /// Shortest text that parses back to the same double (invariant culture), with
    /// "NaN", "Infinity" and "-Infinity" for the special values. Negative zero is "-0".
    let formatDouble (d: double) : string =
        if Double.IsNaN d then "NaN"
        elif Double.IsPositiveInfinity d then "Infinity"
        elif Double.IsNegativeInfinity d then "-Infinity"
        else d.ToString("R", CultureInfo.InvariantCulture)

    /// Shortest text that parses back (as a float32) to the same single (invariant culture),
    /// with "NaN", "Infinity" and "-Infinity" for the special values.
    let formatSingle (f: float32) : string =
        if Single.IsNaN f then "NaN"
        elif Single.IsPositiveInfinity f then "Infinity"
        elif Single.IsNegativeInfinity f then "-Infinity"
        else f.ToString("R", CultureInfo.InvariantCulture)

    /// Appends the decimal digits of `v`. UInt64's default format uses no culture
    /// (no sign, no group separator) and writes into the builder without allocating.
    let private appendUInt64 (sb: StringBuilder) (v: uint64) : unit = sb.Append(v) |> ignore

    let private appendInt64 (sb: StringBuilder) (v: int64) : unit =
        if v < 0L then
            sb.Append('-') |> ignore
            // -(v + 1) + 1 is the magnitude, also for Int64.MinValue.
            appendUInt64 sb (uint64 (-(v + 1L)) + 1UL)
        else appendUInt64 sb (uint64 v)

    let private appendInt (sb: StringBuilder) (v: int) : unit = appendInt64 sb (int64 v)

    let private appendTypeId (sb: StringBuilder) (typeId: int) : unit =
        sb.Append(",\"type_id\":") |> ignore
        appendInt sb typeId
        sb.Append('}') |> ignore

    /// Appends the compact JSON of a value (the `V` of the spec) to `sb`. Lets a
    /// streaming writer reuse one builder instead of allocating a string per value.
    let rec appendValue (sb: StringBuilder) (value: ValueRecord) : unit =
        match value with
        | Int(i, typeId) ->
            sb.Append("{\"kind\":\"Int\",\"i\":") |> ignore
            appendInt64 sb i
            appendTypeId sb typeId
        | BigInt(magnitude, negative, typeId) ->
            sb.Append("{\"kind\":\"BigInt\",\"b\":") |> ignore
            JsonText.appendString sb magnitude
            sb.Append(if negative then ",\"negative\":true" else ",\"negative\":false") |> ignore
            appendTypeId sb typeId
        | Float(f, typeId) ->
            sb.Append("{\"kind\":\"Float\",\"f\":") |> ignore
            JsonText.appendString sb f
            appendTypeId sb typeId
        | Bool(b, typeId) ->
            sb.Append(if b then "{\"kind\":\"Bool\",\"b\":true" else "{\"kind\":\"Bool\",\"b\":false")
            |> ignore
            appendTypeId sb typeId
        | String(text, typeId) ->
            sb.Append("{\"kind\":\"String\",\"text\":") |> ignore
            JsonText.appendString sb text
            appendTypeId sb typeId
        | Char(c, typeId) ->
            sb.Append("{\"kind\":\"Char\",\"c\":") |> ignore
            JsonText.appendString sb c
            appendTypeId sb typeId
        | Sequence(elements, isSlice, typeId) ->
            sb.Append("{\"kind\":\"Sequence\",\"elements\":") |> ignore
            appendValues sb elements
            sb.Append(if isSlice then ",\"is_slice\":true" else ",\"is_slice\":false") |> ignore
            appendTypeId sb typeId
        | Tuple(elements, typeId) ->
            sb.Append("{\"kind\":\"Tuple\",\"elements\":") |> ignore
            appendValues sb elements
            appendTypeId sb typeId
        | Struct(fieldValues, typeId) ->
            sb.Append("{\"kind\":\"Struct\",\"field_values\":") |> ignore
            appendValues sb fieldValues
            appendTypeId sb typeId
        | Variant(discriminator, contents, typeId) ->
            sb.Append("{\"kind\":\"Variant\",\"discriminator\":") |> ignore
            JsonText.appendString sb discriminator
            sb.Append(",\"contents\":") |> ignore
            appendValue sb contents
            appendTypeId sb typeId
        | Raw(r, typeId) ->
            sb.Append("{\"kind\":\"Raw\",\"r\":") |> ignore
            JsonText.appendString sb r
            appendTypeId sb typeId
        | Error(msg, typeId) ->
            sb.Append("{\"kind\":\"Error\",\"msg\":") |> ignore
            JsonText.appendString sb msg
            appendTypeId sb typeId
        | NoneValue typeId ->
            sb.Append("{\"kind\":\"None\"") |> ignore
            appendTypeId sb typeId

    and private appendValues (sb: StringBuilder) (values: ValueRecord list) : unit =
        sb.Append('[') |> ignore
        let mutable first = true
        for v in values do
            if first then first <- false else sb.Append(',') |> ignore
            appendValue sb v
        sb.Append(']') |> ignore

    let private appendSpecificInfo (sb: StringBuilder) (info: TypeSpecificInfo) : unit =
        match info with
        | NoInfo -> sb.Append("{\"kind\":\"None\"}") |> ignore
        | StructInfo fields ->
            sb.Append("{\"kind\":\"Struct\",\"fields\":[") |> ignore
            let mutable first = true
            for (name, typeId) in fields do
                if first then first <- false else sb.Append(',') |> ignore
                sb.Append("{\"name\":") |> ignore
                JsonText.appendString sb name
                sb.Append(",\"type_id\":") |> ignore
                appendInt sb typeId
                sb.Append('}') |> ignore
            sb.Append("]}") |> ignore
        | PointerInfo dereferenceTypeId ->
            sb.Append("{\"kind\":\"Pointer\",\"dereference_type_id\":") |> ignore
            appendInt sb dereferenceTypeId
            sb.Append('}') |> ignore

    /// Appends a value, copying the text of a composite value already encoded (see `EncodedValues`).
    let private appendValueCached (cache: EncodedValues<string>) (sb: StringBuilder) (value: ValueRecord) : unit =
        if EncodedValues<string>.IsComposite value then
            let mutable seen = false
            match cache.Find(value, &seen) with
            | null ->
                let start = sb.Length
                appendValue sb value
                if seen then cache.Keep(value, sb.ToString(start, sb.Length - start))
            | text -> sb.Append(text) |> ignore
        else appendValue sb value

    /// A cache of the size encoders use: 4096 values.
    let createCache () = EncodedValues<string>(4096)

    /// Appends the compact JSON of one trace.json element to `sb` (no separator, no newline),
    /// reusing the text of composite values `cache` holds.
    let appendEventCached (cache: EncodedValues<string>) (sb: StringBuilder) (event: TraceEvent) : unit =
        match event with
        | Path path ->
            sb.Append("{\"Path\":") |> ignore
            JsonText.appendString sb path
            sb.Append('}') |> ignore
        | Function(pathId, line, name) ->
            sb.Append("{\"Function\":{\"path_id\":") |> ignore
            appendInt sb pathId
            sb.Append(",\"line\":") |> ignore
            appendInt sb line
            sb.Append(",\"name\":") |> ignore
            JsonText.appendString sb name
            sb.Append("}}") |> ignore
        | Type(kind, langType, specific) ->
            sb.Append("{\"Type\":{\"kind\":") |> ignore
            appendInt sb kind
            sb.Append(",\"lang_type\":") |> ignore
            JsonText.appendString sb langType
            sb.Append(",\"specific_info\":") |> ignore
            appendSpecificInfo sb specific
            sb.Append("}}") |> ignore
        | VariableName name ->
            sb.Append("{\"VariableName\":") |> ignore
            JsonText.appendString sb name
            sb.Append('}') |> ignore
        | Call(functionId, args) ->
            sb.Append("{\"Call\":{\"function_id\":") |> ignore
            appendInt sb functionId
            sb.Append(",\"args\":[") |> ignore
            let mutable first = true
            for (variableId, value) in args do
                if first then first <- false else sb.Append(',') |> ignore
                sb.Append("{\"variable_id\":") |> ignore
                appendInt sb variableId
                sb.Append(",\"value\":") |> ignore
                appendValueCached cache sb value
                sb.Append('}') |> ignore
            sb.Append("]}}") |> ignore
        | Step(pathId, line) ->
            sb.Append("{\"Step\":{\"path_id\":") |> ignore
            appendInt sb pathId
            sb.Append(",\"line\":") |> ignore
            appendInt sb line
            sb.Append("}}") |> ignore
        | Value(variableId, value) ->
            sb.Append("{\"Value\":{\"variable_id\":") |> ignore
            appendInt sb variableId
            sb.Append(",\"value\":") |> ignore
            appendValueCached cache sb value
            sb.Append("}}") |> ignore
        | Return returnValue ->
            sb.Append("{\"Return\":{\"return_value\":") |> ignore
            appendValueCached cache sb returnValue
            sb.Append("}}") |> ignore
        | IoEvent(kind, metadata, content) ->
            sb.Append("{\"Event\":{\"kind\":") |> ignore
            appendInt sb kind
            sb.Append(",\"metadata\":") |> ignore
            JsonText.appendString sb metadata
            sb.Append(",\"content\":") |> ignore
            JsonText.appendString sb content
            sb.Append("}}") |> ignore
        | ThreadStart threadId ->
            sb.Append("{\"ThreadStart\":") |> ignore
            appendInt64 sb threadId
            sb.Append('}') |> ignore
        | ThreadSwitch threadId ->
            sb.Append("{\"ThreadSwitch\":") |> ignore
            appendInt64 sb threadId
            sb.Append('}') |> ignore
        | ThreadExit threadId ->
            sb.Append("{\"ThreadExit\":") |> ignore
            appendInt64 sb threadId
            sb.Append('}') |> ignore
        | DropLastStep -> sb.Append("\"DropLastStep\"") |> ignore

    /// Appends the compact JSON of one trace.json element to `sb` (no separator, no newline).
    let appendEvent (sb: StringBuilder) (event: TraceEvent) : unit = appendEventCached (createCache ()) sb event

    /// The compact JSON of a value, e.g. `{"kind":"Float","f":"2.5","type_id":3}`.
    let encodeValue (value: ValueRecord) : string =
        let sb = StringBuilder(64)
        appendValue sb value
        sb.ToString()

    /// The compact JSON of one trace.json element, e.g. `{"Step":{"path_id":0,"line":14}}`.
    let encodeEvent (event: TraceEvent) : string =
        let sb = StringBuilder(64)
        appendEvent sb event
        sb.ToString()

    /// A whole trace.json text: `arrayStart`, the events joined by `separator`, `arrayEnd`.
    /// For tests and small traces; large ones stream with the same framing.
    let encodeTrace (events: TraceEvent seq) : string =
        let sb = StringBuilder(256)
        sb.Append(arrayStart) |> ignore
        let mutable first = true
        let cache = createCache ()
        for e in events do
            if first then first <- false else sb.Append(separator) |> ignore
            appendEventCached cache sb e
        sb.Append(arrayEnd) |> ignore
        sb.ToString()
