namespace CodeTracer.Core.Trace

open System
open System.Text
open System.Text.Json
open CodeTracer.Core.Common

/// Reading trace.json back into events (the side files: `SideFiles`). Pure: the bytes
/// come from the caller. Anything the model cannot hold (an unknown event name or value
/// kind, a missing field, a wrong JSON type) is a located error, as it aborts the loader.
[<RequireQualifiedAccess>]
module TraceDecoder =

    open JsonFields

    let private readerOptions = JsonReaderOptions(MaxDepth = MaxJsonDepth)

    /// Event names the loader accepts that this model does not hold.
    let private unsupportedEvents =
        set
            [ "Asm"; "BindVariable"; "DropVariables"; "DropVariable"; "CompoundValue"; "CellValue"
              "AssignCompoundItem"; "AssignCell"; "VariableCell" ]

    /// One value record (the `V` of the trace format).
    let rec private value (v: JsonElement) : Result<ValueRecord, string> =
        let kind =
            if v.ValueKind <> JsonValueKind.Object then None
            else field v "kind"
        match kind with
        | None -> Result.Error(sprintf "value record must be an object with 'kind', got %s" (shown (Some v)))
        | Some k when k.ValueKind <> JsonValueKind.String -> Result.Error(sprintf "unknown value kind %s" (k.GetRawText()))
        | Some k ->
            let k = textOf k
            let typeId () =
                // The message's name is built only for a problem: this runs for every value read.
                match field v "type_id" |> Option.bind int32Of with
                | Some t -> Ok t
                | None -> intField (k + " value") v "type_id"
            let children name = arrayField k v name |> Result.bind (List.map value >> all)
            result {
                match k with
                | "Int" ->
                    let! i = int64Field k v "i"
                    let! t = typeId ()
                    return ValueRecord.Int(i, t)
                | "Float" ->
                    let! f = stringField k v "f"
                    let! t = typeId ()
                    return Float(f, t)
                | "Bool" ->
                    let! b = boolField k v "b"
                    let! t = typeId ()
                    return Bool(b, t)
                | "String" ->
                    let! s = stringField k v "text"
                    let! t = typeId ()
                    return ValueRecord.String(s, t)
                | "Char" ->
                    let! c = stringField k v "c"
                    let! t = typeId ()
                    return ValueRecord.Char(c, t)
                | "Sequence" ->
                    let! es = children "elements"
                    let! slice = boolField k v "is_slice"
                    let! t = typeId ()
                    return Sequence(es, slice, t)
                | "Tuple" ->
                    let! es = children "elements"
                    let! t = typeId ()
                    return ValueRecord.Tuple(es, t)
                | "Struct" ->
                    let! fs = children "field_values"
                    let! t = typeId ()
                    return Struct(fs, t)
                | "Variant" ->
                    let! d = stringField k v "discriminator"
                    let! c =
                        match field v "contents" with
                        | Some c -> value c
                        | None -> Result.Error "Variant value lacks 'contents'"
                    let! t = typeId ()
                    return Variant(d, c, t)
                | "Raw" ->
                    let! r = stringField k v "r"
                    let! t = typeId ()
                    return Raw(r, t)
                | "Error" ->
                    let! m = stringField k v "msg"
                    let! t = typeId ()
                    return ValueRecord.Error(m, t)
                | "None" ->
                    let! t = typeId ()
                    return NoneValue t
                | "BigInt" ->
                    let! b = stringField k v "b"
                    let! n = boolField k v "negative"
                    let! t = typeId ()
                    return BigInt(b, n, t)
                | "Reference" -> return! Result.Error "Reference values are not supported by this reader (the recorder never writes them)"
                | "Cell" -> return! Result.Error "Cell values are not allowed in Value/Call/Return (the loader cannot show them)"
                | other -> return! Result.Error(sprintf "unknown value kind '%s'" other)
            }

    let private valueField (what: string) (el: JsonElement) (name: string) : Result<ValueRecord, string> =
        match field el name with
        | Some v -> value v
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)

    let private object (name: string) (body: JsonElement) : Result<JsonElement, string> =
        if body.ValueKind = JsonValueKind.Object then Ok body
        else Result.Error(sprintf "%s must be an object, got %s" name (shown (Some body)))

    let private specificInfo (body: JsonElement) : Result<TypeSpecificInfo, string> =
        let bad () = Result.Error "Type.specific_info must be {kind: None|Struct|Pointer, ...}"
        match field body "specific_info" with
        | Some info when info.ValueKind = JsonValueKind.Object ->
            match field info "kind" with
            | Some k when k.ValueKind = JsonValueKind.String ->
                match textOf k with
                | "None" -> Ok NoInfo
                | "Struct" ->
                    match field info "fields" with
                    | Some fs when fs.ValueKind = JsonValueKind.Array ->
                        fs.EnumerateArray()
                        |> Seq.map (fun f ->
                            if f.ValueKind <> JsonValueKind.Object then
                                Result.Error(sprintf "struct field must be {name, type_id}, got %s" (shown (Some f)))
                            else
                                result {
                                    let! n = stringField "struct field" f "name"
                                    let! t = intField "struct field" f "type_id"
                                    return n, t
                                })
                        |> all
                        |> Result.map StructInfo
                    | _ -> Result.Error "Struct specific_info needs a 'fields' list"
                | "Pointer" ->
                    intField "Pointer specific_info" info "dereference_type_id" |> Result.map PointerInfo
                | _ -> bad ()
            | _ -> bad ()
        | _ -> bad ()

    let private callArg (a: JsonElement) : Result<int * ValueRecord, string> =
        if a.ValueKind <> JsonValueKind.Object then Result.Error "each Call arg is {variable_id, value}"
        else
            result {
                let! id = intField "Call arg" a "variable_id"
                let! v = valueField "Call arg" a "value"
                return id, v
            }

    let private threadId (name: string) (body: JsonElement) : Result<int64, string> =
        match int64Of body with
        | Some id -> Ok id
        | None -> Result.Error(sprintf "%s must be a thread id (an integer), got %s" name (shown (Some body)))

    /// One event's body, by its name.
    let private eventBody (name: string) (body: JsonElement) : Result<TraceEvent, string> =
        match name with
        | "Path" ->
            if body.ValueKind = JsonValueKind.String then Ok(Path(textOf body))
            else Result.Error "Path must be a non-empty string"
        | "VariableName"
        | "Variable" ->
            if body.ValueKind = JsonValueKind.String then Ok(VariableName(textOf body))
            else Result.Error "VariableName must be a string"
        | "Type" ->
            result {
                let! body = object "Type" body
                let! kind = intField "Type" body "kind"
                let! lang = stringField "Type" body "lang_type"
                let! info = specificInfo body
                return TraceEvent.Type(kind, lang, info)
            }
        | "Function" ->
            result {
                let! body = object "Function" body
                let! p = intField "Function" body "path_id"
                let! l = intField "Function" body "line"
                let! n = stringField "Function" body "name"
                return Function(p, l, n)
            }
        | "Step" ->
            result {
                let! body = object "Step" body
                let! p = intField "Step" body "path_id"
                let! l = intField "Step" body "line"
                return Step(p, l)
            }
        | "Call" ->
            result {
                let! body = object "Call" body
                let! f = intField "Call" body "function_id"
                let! args =
                    match field body "args" with
                    | None -> Ok []
                    | Some a when a.ValueKind = JsonValueKind.Array -> a.EnumerateArray() |> Seq.map callArg |> all
                    | Some _ -> Result.Error "Call.args must be a list"
                return Call(f, args)
            }
        | "Return" ->
            result {
                let! body = object "Return" body
                let! v = valueField "Return" body "return_value"
                return Return v
            }
        | "Value" ->
            result {
                let! body = object "Value" body
                let! id = intField "Value" body "variable_id"
                let! v = valueField "Value" body "value"
                return Value(id, v)
            }
        | "Event" ->
            result {
                let! body = object "Event" body
                let! kind = intField "Event" body "kind"
                let! metadata = stringField "Event" body "metadata"
                let! content = stringField "Event" body "content"
                return IoEvent(kind, metadata, content)
            }
        | "ThreadStart" -> threadId name body |> Result.map ThreadStart
        | "ThreadSwitch" -> threadId name body |> Result.map ThreadSwitch
        | "ThreadExit" -> threadId name body |> Result.map ThreadExit
        | "DropLastStep" -> Ok DropLastStep
        | "Assignment" -> Result.Error "Assignment events must not be written (their JSON form does not load)"
        | n when unsupportedEvents.Contains n -> Result.Error(sprintf "'%s' events are not supported by this reader (the recorder never writes them)" n)
        | n -> Result.Error(sprintf "unknown event '%s'" n)

    /// One element of the trace.json array, the `index`-th. Also the binary reader's, which
    /// turns each CBOR event into this JSON form so that one set of rules reads both.
    let internal event (index: int) (el: JsonElement) : Result<TraceEvent, TraceProblem> =
        // Where a problem is, written only when there is one: this runs for every event read.
        let at () = "event #" + string index
        let oneKey () =
            Result.Error(TraceProblem.create (at ()) ("an event is an object with exactly one key, got " + shown (Some el)))
        if el.ValueKind = JsonValueKind.String && el.ValueEquals "DropLastStep" then Ok DropLastStep
        elif el.ValueKind <> JsonValueKind.Object then oneKey ()
        else
            let mutable props = el.EnumerateObject()
            if not (props.MoveNext()) then oneKey ()
            else
                let p = props.Current
                if props.MoveNext() then oneKey ()
                else
                    match eventBody p.Name p.Value with
                    | Ok e -> Ok e
                    | Result.Error m -> Result.Error(TraceProblem.create (at () + " (" + p.Name + ")") m)

    /// Where a reading of trace.json in pieces stands between two pieces (opaque to callers).
    type JsonPieces =
        private
            { Reader: JsonReaderState
              /// The array's `[` was read.
              Opened: bool
              /// The array's `]` was read.
              Closed: bool
              /// The number of the next event.
              Next: int }

    /// The state before the first piece.
    let jsonStart: JsonPieces = { Reader = JsonReaderState(readerOptions); Opened = false; Closed = false; Next = 0 }

    /// The events of the complete elements of trace.json in `data[offset .. offset+count)`, the
    /// next piece of the file after `state`: the events, the bytes they took (an element cut at
    /// the end is left for the next piece, given again before it) and the state after them.
    /// With `final`, the piece is the rest of the file: an unclosed array is a truncated file.
    /// The first problem stops the decoding, located at the file (`trace.json`) or at the
    /// event (`event #12 (Call)`).
    let decodeJsonPiece
        (state: JsonPieces)
        (final: bool)
        (data: byte array)
        (offset: int)
        (count: int)
        : Result<TraceEvent list * int * JsonPieces, TraceProblem> =
        let fileProblem message = Some(TraceProblem.create "trace.json" message)
        let events = ResizeArray<TraceEvent>()
        let mutable failure: TraceProblem option = None
        let mutable opened = state.Opened
        let mutable closed = state.Closed
        let mutable consumed = 0
        let mutable saved = state.Reader
        let mutable more = true
        let bom = [| 0xEFuy; 0xBBuy; 0xBFuy |]
        if not opened && count < bom.Length && not final then more <- false // too short to tell a byte order mark
        elif not opened && count >= bom.Length && ReadOnlySpan(data, offset, bom.Length).SequenceEqual(ReadOnlySpan bom) then
            failure <- fileProblem "unexpected UTF-8 byte order mark"
        let mutable reader = Utf8JsonReader(ReadOnlySpan(data, offset, count), final, state.Reader)
        try
            if failure.IsNone && more && not opened then
                if not (reader.Read()) then
                    more <- false
                    if final then failure <- fileProblem "the file must be one JSON array"
                elif reader.TokenType <> JsonTokenType.StartArray then failure <- fileProblem "the file must be one JSON array"
                else
                    opened <- true
                    consumed <- int reader.BytesConsumed
                    saved <- reader.CurrentState
            while failure.IsNone && more && opened && not closed do
                if not (reader.Read()) then
                    more <- false
                    if final then failure <- fileProblem "the array is not closed (a truncated file)"
                elif reader.TokenType = JsonTokenType.EndArray then
                    closed <- true
                    consumed <- int reader.BytesConsumed
                    saved <- reader.CurrentState
                else
                    let start = int reader.TokenStartIndex
                    let mutable doc: JsonDocument = null
                    if JsonDocument.TryParseValue(&reader, &doc) then
                        use doc = doc
                        let decoded =
                            // The reader does not check the text of strings; their decoding would throw.
                            if Unicode.Utf8.IsValid(ReadOnlySpan(data, offset + start, int reader.BytesConsumed - start)) then
                                event (state.Next + events.Count) doc.RootElement
                            else Result.Error(TraceProblem.create "trace.json" "the file is not valid UTF-8")
                        match decoded with
                        | Ok e ->
                            events.Add e
                            consumed <- int reader.BytesConsumed
                            saved <- reader.CurrentState
                        | Result.Error p -> failure <- Some p
                    else
                        more <- false
                        if final then failure <- fileProblem "the array is not closed (a truncated file)"
            if failure.IsNone && closed && final && reader.Read() then
                failure <- fileProblem "text after the closing bracket"
        with :? JsonException as e ->
            failure <- fileProblem (syntaxMessage e)
        match failure with
        | Some p -> Result.Error p
        | None ->
            Ok(List.ofSeq events, consumed, { Reader = saved; Opened = opened; Closed = closed; Next = state.Next + events.Count })

    /// The events of a whole trace.json (its UTF-8 bytes), as `decodeJsonPiece` reads them.
    let decodeEvents (utf8: byte array) : Result<TraceEvent list, TraceProblem> =
        decodeJsonPiece jsonStart true utf8 0 utf8.Length |> Result.map (fun (events, _, _) -> events)

    /// The events of a trace.json text.
    let decodeEventsText (json: string) : Result<TraceEvent list, TraceProblem> =
        decodeEvents (Encoding.UTF8.GetBytes json)
