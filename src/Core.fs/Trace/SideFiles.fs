namespace CodeTracer.Core.Trace

open System
open System.Text.Json
open CodeTracer.Core.Common

/// What trace_metadata.json says about the recording filters (`trace_filter`).
type TraceFilterInfo =
    {
        /// The chain in order: (name, path) of each filter.
        Filters: (string * string) list
        /// The counters, flattened: `methods_traced`, `value_redactions.arg`, ...
        Stats: (string * int64) list
    }

/// The fields of trace_metadata.json that readers use. A field is None when it is
/// absent or has the wrong JSON type, so that validation can name each one.
type TraceMetadataFields =
    {
        /// `recording_id` when it is a string.
        RecordingId: string option
        /// `program` when it is a string.
        Program: string option
        /// `args` when it is a list of strings.
        Args: string list option
        /// `workdir` when it is a string.
        Workdir: string option
        /// `recorder.name` and `recorder.version`, when present.
        Recorder: (string * string) option
        /// `outcome` (complete, partial, disabled, failed), when present.
        Outcome: string option
        /// `exit_code` when it is an integer.
        ExitCode: int64 option
        /// `trace_filter`, when present.
        TraceFilter: TraceFilterInfo option
    }

/// Reading a trace folder's side files back: trace_paths.json into paths,
/// trace_metadata.json into its fields. Pure: the bytes come from the caller.
[<RequireQualifiedAccess>]
module SideFiles =

    /// Parses a side file; `file` names it in the problem.
    let private parseFile (file: string) (utf8: byte array) (read: JsonElement -> Result<'T, string>) : Result<'T, TraceProblem> =
        match JsonFields.encodingProblem utf8 with
        | Some message -> Result.Error(TraceProblem.create file message)
        | None ->
            let parsed =
                try
                    use doc = JsonDocument.Parse(ReadOnlyMemory utf8, JsonFields.documentOptions)
                    read doc.RootElement
                with :? JsonException as e -> Result.Error(JsonFields.syntaxMessage e)
            parsed |> Result.mapError (TraceProblem.create file)

    /// The paths of trace_paths.json (its UTF-8 bytes): a JSON array of strings.
    let decodePaths (utf8: byte array) : Result<string list, TraceProblem> =
        parseFile "trace_paths.json" utf8 (fun root ->
            let strings =
                if root.ValueKind <> JsonValueKind.Array then None
                else
                    let items = root.EnumerateArray() |> List.ofSeq
                    if items |> List.forall (fun i -> i.ValueKind = JsonValueKind.String) then Some(items |> List.map JsonFields.textOf)
                    else None
            match strings with
            | Some paths -> Ok paths
            | None -> Result.Error "must be a JSON array of strings (the Path events in order)")

    let private optString (el: JsonElement) (name: string) : string option =
        match JsonFields.field el name with
        | Some v when v.ValueKind = JsonValueKind.String -> Some(JsonFields.textOf v)
        | _ -> None

    let private traceFilter (el: JsonElement) : TraceFilterInfo =
        let filters =
            match JsonFields.field el "filters" with
            | Some fs when fs.ValueKind = JsonValueKind.Array ->
                [ for f in fs.EnumerateArray() do
                      if f.ValueKind = JsonValueKind.Object then
                          yield (optString f "name" |> Option.defaultValue "?"), (optString f "path" |> Option.defaultValue "?") ]
            | _ -> []
        let rec flatten (prefix: string) (node: JsonElement) : (string * int64) list =
            match node.ValueKind with
            | JsonValueKind.Object ->
                [ for p in node.EnumerateObject() do
                      yield! flatten (if prefix = "" then p.Name else prefix + "." + p.Name) p.Value ]
            | JsonValueKind.Number ->
                match JsonFields.int64Of node with
                | Some n -> [ prefix, n ]
                | None -> []
            | _ -> []
        let stats =
            match JsonFields.field el "stats" with
            | Some s -> flatten "" s
            | None -> []
        { Filters = filters; Stats = stats }

    /// The fields of trace_metadata.json (its UTF-8 bytes). An error when the text is
    /// not JSON or not an object; a missing or mistyped field is None (validation names it).
    let decodeMetadata (utf8: byte array) : Result<TraceMetadataFields, TraceProblem> =
        parseFile "trace_metadata.json" utf8 (fun root ->
            if root.ValueKind <> JsonValueKind.Object then Result.Error "must be a JSON object"
            else
                let args =
                    match JsonFields.field root "args" with
                    | Some a when a.ValueKind = JsonValueKind.Array ->
                        let items = a.EnumerateArray() |> List.ofSeq
                        if items |> List.forall (fun i -> i.ValueKind = JsonValueKind.String) then Some(items |> List.map JsonFields.textOf)
                        else None
                    | _ -> None
                let recorder =
                    match JsonFields.field root "recorder" with
                    | Some r when r.ValueKind = JsonValueKind.Object ->
                        Some(optString r "name" |> Option.defaultValue "?", optString r "version" |> Option.defaultValue "?")
                    | _ -> None
                Ok
                    { RecordingId = optString root "recording_id"
                      Program = optString root "program"
                      Args = args
                      Workdir = optString root "workdir"
                      Recorder = recorder
                      Outcome = optString root "outcome"
                      ExitCode = JsonFields.field root "exit_code" |> Option.bind JsonFields.int64Of
                      TraceFilter =
                        match JsonFields.field root "trace_filter" with
                        | Some f when f.ValueKind = JsonValueKind.Object -> Some(traceFilter f)
                        | _ -> None })
