namespace CodeTracer.Core.Trace

open System
open System.Text
open System.Text.Json

/// Reading the JSON of a trace folder (trace.json, the side files, and the binary
/// reader's events in their JSON form): typed fields whose errors name the field and
/// what stands there, strings with lone surrogates kept, and the parser's limits and
/// messages. Internal to Core: the decoders use it.
module internal JsonFields =

    /// How deep JSON may nest (values nest; the validator reports values deeper than 200).
    [<Literal>]
    let MaxJsonDepth = 1000

    /// The parser's options for a whole document or one element.
    let documentOptions = JsonDocumentOptions(MaxDepth = MaxJsonDepth)

    /// The JSON text of an element, cut to 80 characters, for messages.
    let shown (el: JsonElement option) : string =
        match el with
        | None -> "nothing"
        | Some e ->
            let t = e.GetRawText()
            if t.Length > 80 then t.Substring(0, 80) + "…" else t

    /// Unescapes the raw text of a JSON string token (quotes included), keeping lone
    /// surrogates that `GetString` refuses.
    let private unescape (raw: string) : string =
        let sb = StringBuilder(raw.Length)
        let mutable i = 1
        let last = raw.Length - 1
        while i < last do
            let c = raw.[i]
            if c = '\\' && i + 1 < last then
                match raw.[i + 1] with
                | 'b' -> sb.Append('\b') |> ignore; i <- i + 2
                | 'f' -> sb.Append('\012') |> ignore; i <- i + 2
                | 'n' -> sb.Append('\n') |> ignore; i <- i + 2
                | 'r' -> sb.Append('\r') |> ignore; i <- i + 2
                | 't' -> sb.Append('\t') |> ignore; i <- i + 2
                | 'u' when i + 5 < last ->
                    sb.Append(char (Convert.ToInt32(raw.Substring(i + 2, 4), 16))) |> ignore
                    i <- i + 6
                | other -> sb.Append(other) |> ignore; i <- i + 2
            else
                sb.Append(c) |> ignore
                i <- i + 1
        sb.ToString()

    /// The text of a JSON string element; lone surrogates (`"\ud800"`) are kept.
    let textOf (el: JsonElement) : string =
        try
            match el.GetString() with
            | null -> ""
            | s -> s
        with :? InvalidOperationException -> unescape (el.GetRawText())

    /// The member `name` of an object, if there is one.
    let field (el: JsonElement) (name: string) : JsonElement option =
        match el.TryGetProperty name with
        | true, v -> Some v
        | _ -> None

    // The typed members: a missing one or one of another type is an error naming
    // `what` (the owner), the member and what stands there.

    let stringField (what: string) (el: JsonElement) (name: string) : Result<string, string> =
        match field el name with
        | Some v when v.ValueKind = JsonValueKind.String -> Ok(textOf v)
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)
        | other -> Result.Error(sprintf "%s.%s must be a string, got %s" what name (shown other))

    let int32Of (v: JsonElement) : int option =
        if v.ValueKind <> JsonValueKind.Number then None
        else
            match v.TryGetInt32() with
            | true, i -> Some i
            | _ -> None

    let int64Of (v: JsonElement) : int64 option =
        if v.ValueKind <> JsonValueKind.Number then None
        else
            match v.TryGetInt64() with
            | true, i -> Some i
            | _ -> None

    let intField (what: string) (el: JsonElement) (name: string) : Result<int, string> =
        match field el name with
        | Some v when (int32Of v).IsSome -> Ok(Option.get (int32Of v))
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)
        | other -> Result.Error(sprintf "%s.%s must be an integer, got %s" what name (shown other))

    let int64Field (what: string) (el: JsonElement) (name: string) : Result<int64, string> =
        match field el name with
        | Some v when (int64Of v).IsSome -> Ok(Option.get (int64Of v))
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)
        | other -> Result.Error(sprintf "%s.%s must be a 64-bit integer, got %s" what name (shown other))

    let boolField (what: string) (el: JsonElement) (name: string) : Result<bool, string> =
        match field el name with
        | Some v when v.ValueKind = JsonValueKind.True -> Ok true
        | Some v when v.ValueKind = JsonValueKind.False -> Ok false
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)
        | other -> Result.Error(sprintf "%s.%s must be true or false, got %s" what name (shown other))

    let arrayField (what: string) (el: JsonElement) (name: string) : Result<JsonElement list, string> =
        match field el name with
        | Some v when v.ValueKind = JsonValueKind.Array -> Ok(v.EnumerateArray() |> List.ofSeq)
        | None -> Result.Error(sprintf "%s lacks '%s'" what name)
        | other -> Result.Error(sprintf "%s.%s must be a list, got %s" what name (shown other))

    /// The first error of a list of results, or all the values.
    let all (results: Result<'T, string> seq) : Result<'T list, string> =
        let values = ResizeArray<'T>()
        let mutable error = None
        use e = results.GetEnumerator()
        while error.IsNone && e.MoveNext() do
            match e.Current with
            | Ok v -> values.Add v
            | Result.Error m -> error <- Some m
        match error with
        | Some m -> Result.Error m
        | None -> Ok(List.ofSeq values)

    /// Text a JSON parser rejects before parsing: invalid UTF-8, or a byte order mark.
    let encodingProblem (utf8: byte array) : string option =
        if not (Unicode.Utf8.IsValid(ReadOnlySpan utf8)) then Some "the file is not valid UTF-8"
        elif utf8.Length >= 3 && utf8.[0] = 0xEFuy && utf8.[1] = 0xBBuy && utf8.[2] = 0xBFuy then
            Some "unexpected UTF-8 byte order mark"
        else None

    let syntaxMessage (e: JsonException) : string =
        if not e.LineNumber.HasValue then e.Message
        else
            // The reader's message carries the position too; keep its first sentence.
            let first = e.Message.Split([| " LineNumber:" |], StringSplitOptions.None).[0]
            sprintf "invalid JSON at line %d, byte %d: %s" (e.LineNumber.Value + 1L) (e.BytePositionInLine.GetValueOrDefault() + 1L) first
