namespace CodeTracer.Core.Trace

open System
open System.Text.RegularExpressions
open CodeTracer.Core.Common

/// Checks a trace folder against every rule of shared/spec/trace-format.md, with the
/// rules and strictness of shared/tools/ct-validate.py (same messages where it can).
/// Pure: the events and the side files come decoded (TraceDecoder).
[<RequireQualifiedAccess>]
module TraceValidation =

    /// Values nested deeper than this are reported (and not looked into).
    [<Literal>]
    let MaxValueDepth = 200

    [<Literal>]
    let private MaxTypeKind = 33

    [<Literal>]
    let private MaxEventKind = 13

    /// The text Python's `float()` accepts: digits with single underscores between them,
    /// an optional fraction and exponent, or inf / infinity / nan; sign and spaces around.
    let private pythonFloat =
        Regex(
            @"\A\s*[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf|infinity|nan)\s*\z",
            RegexOptions.IgnoreCase ||| RegexOptions.CultureInvariant
        )

    let private base64 = Regex(@"\A[A-Za-z0-9+/]*={0,2}\z", RegexOptions.CultureInvariant)

    let private lowercaseUuid =
        Regex(@"\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z", RegexOptions.CultureInvariant)

    /// Whether `s` holds a UTF-16 surrogate without its partner (it cannot be written as UTF-8).
    let hasLoneSurrogate (s: string) : bool =
        // Every String value is checked: a vectorised search skips to the first surrogate
        // (most text has none), and pairs are looked at from there.
        let mutable i = s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF')
        let mutable found = false
        while not found && i >= 0 && i < s.Length do
            let c = s.[i]
            if Char.IsHighSurrogate c && i + 1 < s.Length && Char.IsLowSurrogate s.[i + 1] then i <- i + 2
            elif Char.IsSurrogate c then found <- true
            else i <- i + 1
        found

    /// Whether `s` is exactly one Unicode code point.
    let private isOneCodePoint (s: string) : bool =
        (s.Length = 1 && not (Char.IsSurrogate s.[0]))
        || (s.Length = 2 && Char.IsHighSurrogate s.[0] && Char.IsLowSurrogate s.[1])

    /// Python's repr of a string, enough for messages: `'text'`.
    let private repr (s: string) : string =
        let cut = if s.Length > 80 then s.Substring(0, 80) + "…" else s
        "'" + cut.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n") + "'"

    let private eventName (e: TraceEvent) : string =
        match e with
        | Path _ -> "Path"
        | Function _ -> "Function"
        | Type _ -> "Type"
        | VariableName _ -> "VariableName"
        | Call _ -> "Call"
        | Step _ -> "Step"
        | Value _ -> "Value"
        | Return _ -> "Return"
        | IoEvent _ -> "Event"
        | ThreadStart _ -> "ThreadStart"
        | ThreadSwitch _ -> "ThreadSwitch"
        | ThreadExit _ -> "ThreadExit"
        | DropLastStep -> "DropLastStep"

    /// Path, Function, Type and VariableName: the events that register an id.
    let isRegistration (e: TraceEvent) : bool =
        match e with
        | Path _
        | Function _
        | Type _
        | VariableName _ -> true
        | _ -> false

    /// The figures of `codetracer validate`'s OK line, counted while the events are checked,
    /// so that a trace of any size is read once (they equal TraceSummary.counts').
    type EventTally = { Events: int; Steps: int; Calls: int; Functions: int }

    /// A registered type as far as values need it.
    type private TypeEntry = { Kind: int; LangType: string; Fields: (string * int) list option }

    /// The problems of an event stream alone, the paths it registered (in order), and its
    /// tally. With `partial`, calls left open at the end are allowed (a trace cut short).
    let checkEvents (partial: bool) (events: TraceEvent seq) : TraceProblem list * string list * EventTally =
        let problems = ResizeArray<TraceProblem>()
        let paths = ResizeArray<string>()
        let pathSet = Collections.Generic.HashSet<string>(StringComparer.Ordinal)
        let functions = ResizeArray<int * int * string>()
        let types = ResizeArray<TypeEntry>()
        let mutable variables = 0
        let mutable steps = 0
        let mutable calls = 0
        let mutable depth = 0
        let mutable lastStep: (int * int) option = None
        let mutable lastNonRegistration = ""
        // Where the problems are: the event's number and name, made text only for a problem
        // (this runs for every event of the trace); index -1 for the trace as a whole.
        let mutable whereIndex = -1
        let mutable whereEvent = DropLastStep
        let add (message: string) =
            let at = if whereIndex < 0 then "trace" else sprintf "event #%d (%s)" whereIndex (eventName whereEvent)
            problems.Add(TraceProblem.create at message)

        /// ct-validate's `ref`: an id within the table defined so far.
        let reference (what: string) (id: int) (count: int) : bool =
            if id < 0 || id >= count then
                add (sprintf "%s %d used before it was defined (%d defined so far)" what id count)
                false
            else true

        let rec value (v: ValueRecord) (level: int) : unit =
            if level > MaxValueDepth then add (sprintf "value nested deeper than %d levels" MaxValueDepth)
            else
                let typeId (t: int) = reference "type_id" t types.Count |> ignore
                match v with
                | ValueRecord.Int(_, t)
                | Bool(_, t)
                | NoneValue t -> typeId t
                | Float(f, t) ->
                    if not (pythonFloat.IsMatch f) then add (sprintf "Float.f %s does not parse as a number" (repr f))
                    typeId t
                | ValueRecord.String(text, t) ->
                    if hasLoneSurrogate text then add "String.text holds a lone surrogate (not valid UTF-8)"
                    typeId t
                | ValueRecord.Char(c, t) ->
                    if not (isOneCodePoint c) then add (sprintf "Char.c must be exactly one code point, got %s" (repr c))
                    typeId t
                | Sequence(es, _, t)
                | Tuple(es, t) ->
                    for e in es do
                        value e (level + 1)
                    typeId t
                | Struct(fs, t) ->
                    for e in fs do
                        value e (level + 1)
                    if t >= 0 && t < types.Count then
                        let ty = types.[t]
                        match ty.Fields with
                        | Some fields when ty.Kind = TypeKind.Struct ->
                            if fields.Length <> fs.Length then
                                add (sprintf "Struct value has %d field values but type %s declares %d fields" fs.Length ty.LangType fields.Length)
                        | _ ->
                            add (sprintf "Struct value uses type %d (%s) which is not a Struct type with fields" t ty.LangType)
                    typeId t
                | Variant(_, contents, t) ->
                    value contents (level + 1)
                    typeId t
                | Raw(r, t) ->
                    if hasLoneSurrogate r then add "Raw.r holds a lone surrogate"
                    typeId t
                | ValueRecord.Error(msg, t) ->
                    if hasLoneSurrogate msg then add "Error.msg holds a lone surrogate"
                    typeId t
                | BigInt(b, _, t) ->
                    if not (base64.IsMatch b && b.Length % 4 = 0) then
                        add (sprintf "BigInt.b must be standard padded base64, got %s" (repr b))
                    typeId t

        let mutable index = 0
        for e in events do
            whereIndex <- index
            whereEvent <- e
            match e with
            | Path p ->
                if p = "" then add "Path must be a non-empty string"
                else
                    if not (Paths.isAbsolute p) then add (sprintf "Path %s is not absolute" (repr p))
                    if not (pathSet.Add p) then add (sprintf "Path %s registered twice" (repr p))
                    paths.Add p
            | VariableName name ->
                if hasLoneSurrogate name then add "VariableName holds a lone surrogate"
                variables <- variables + 1
            | Type(kind, lang, info) ->
                if kind < 0 || kind > MaxTypeKind then add (sprintf "Type.kind must be an integer 0..%d, got %d" MaxTypeKind kind)
                let fields =
                    match info with
                    | NoInfo -> None
                    | StructInfo fields ->
                        for name, t in fields do
                            if t < 0 || t > types.Count then add (sprintf "struct field %s refers to undefined type %d" name t)
                        Some fields
                    | PointerInfo d ->
                        if d < 0 || d > types.Count then add "Pointer specific_info needs a defined dereference_type_id"
                        None
                if types.Count = 0 && (kind <> TypeKind.None || lang <> "None") then
                    add "type 0 must be {kind: 30, lang_type: \"None\"} (the loader's default return type)"
                types.Add { Kind = kind; LangType = lang; Fields = fields }
            | Function(pathId, line, name) ->
                let ok = reference "path_id" pathId paths.Count
                if line < 0 then add (sprintf "Function.line must be a non-negative integer, got %d" line)
                if name = "" then add "Function.name must be a non-empty string"
                functions.Add((if ok then pathId else -1), line, name)
            | Step(pathId, line) ->
                reference "path_id" pathId paths.Count |> ignore
                if line < 1 then add (sprintf "Step.line must be an integer >= 1, got %d" line)
                if calls = 0 then
                    add "a Step before any Call (the loader then invents a <top-level> function and shifts every function id)"
                steps <- steps + 1
                lastStep <- Some(pathId, line)
            | Call(functionId, args) ->
                if reference "function_id" functionId functions.Count then
                    let pathId, line, name = functions.[functionId]
                    if calls > 0 && (lastNonRegistration <> "Step" || lastStep <> Some(pathId, line)) then
                        add (
                            sprintf
                                "Call of %s is not directly preceded by a Step at its definition (%d, line %d); the loader would move the caller's step into the callee"
                                (repr name)
                                pathId
                                line
                        )
                for variableId, v in args do
                    reference "variable_id" variableId variables |> ignore
                    value v 0
                calls <- calls + 1
                depth <- depth + 1
            | Return v ->
                value v 0
                if depth = 0 then add "Return without an open Call (the loader panics)"
                else depth <- depth - 1
            | Value(variableId, v) ->
                if steps = 0 then add "a Value before the first Step belongs to no step"
                reference "variable_id" variableId variables |> ignore
                value v 0
            | IoEvent(kind, metadata, content) ->
                if kind < 0 || kind > MaxEventKind then add (sprintf "Event.kind must be an integer 0..%d, got %d" MaxEventKind kind)
                if hasLoneSurrogate metadata then add "Event.metadata holds a lone surrogate"
                if hasLoneSurrogate content then add "Event.content holds a lone surrogate"
            | DropLastStep ->
                if steps <= 1 then add "DropLastStep with no step to drop (the loader panics)"
                steps <- steps - 1
            | ThreadStart _
            | ThreadSwitch _
            | ThreadExit _ -> ()
            if not (isRegistration e) then lastNonRegistration <- eventName e
            index <- index + 1

        whereIndex <- -1
        if calls = 0 then add "no Call at all: an empty recording"
        if depth > 0 && not partial then
            add (sprintf "%d call(s) never return (pass --partial for a trace cut short)" depth)
        List.ofSeq problems, List.ofSeq paths, { Events = index; Steps = steps; Calls = calls; Functions = functions.Count }

    /// The problems of trace_paths.json: it must list exactly the registered paths, in order.
    let checkPaths (registered: string list) (paths: Result<string list, TraceProblem>) : TraceProblem list =
        match paths with
        | Result.Error p -> [ p ]
        | Ok listed when listed = registered -> []
        | Ok listed ->
            [ TraceProblem.create
                  "trace_paths.json"
                  (sprintf "must list exactly the Path events in order (%d paths in trace.json, %d here)" registered.Length listed.Length) ]

    /// The problems of trace_metadata.json's required fields.
    let checkMetadata (metadata: Result<TraceMetadataFields, TraceProblem>) : TraceProblem list =
        match metadata with
        | Result.Error p -> [ p ]
        | Ok m ->
            let problem = TraceProblem.create "trace_metadata.json"
            [ match m.Program with
              | Some p when p <> "" -> ()
              | _ -> yield problem "program must be a non-empty string"
              if m.Args.IsNone then yield problem "args must be a list of strings"
              match m.Workdir with
              | Some w when Paths.isAbsolute w -> ()
              | _ -> yield problem "workdir must be an absolute path"
              match m.RecordingId with
              | Some id when lowercaseUuid.IsMatch id -> ()
              | Some id -> yield problem (sprintf "recording_id must be a lowercase hyphenated UUID, got %s" (repr id))
              | None -> yield problem "recording_id must be a lowercase hyphenated UUID, got no string" ]

    /// Every problem of a trace folder: the events, then trace_paths.json, then
    /// trace_metadata.json (none when the folder is valid); and the events' tally. The
    /// events are enumerated once.
    let check
        (partial: bool)
        (events: TraceEvent seq)
        (paths: Result<string list, TraceProblem>)
        (metadata: Result<TraceMetadataFields, TraceProblem>)
        : TraceProblem list * EventTally =
        let eventProblems, registered, tally = checkEvents partial events
        eventProblems @ checkPaths registered paths @ checkMetadata metadata, tally

    /// Every problem of a trace folder, as `check` finds them. Empty when the folder is valid.
    let validate
        (partial: bool)
        (events: TraceEvent seq)
        (paths: Result<string list, TraceProblem>)
        (metadata: Result<TraceMetadataFields, TraceProblem>)
        : TraceProblem list =
        fst (check partial events paths metadata)

    /// Every problem of a trace folder given the bytes of its three files. When
    /// trace.json cannot be decoded, that one problem (the loader stops there too).
    let validateFiles (partial: bool) (traceJson: byte array) (pathsJson: byte array) (metadataJson: byte array) : TraceProblem list =
        match TraceDecoder.decodeEvents traceJson with
        | Result.Error p -> [ p ]
        | Ok events -> validate partial events (SideFiles.decodePaths pathsJson) (SideFiles.decodeMetadata metadataJson)
