namespace CodeTracer.Core.Recording

open System.Globalization
open System.Text
open CodeTracer.Core.Trace

/// A small JSON document model for the side files (metadata, paths).
type JsonNode =
    | JString of string
    | JInt of int64
    | JBool of bool
    | JNull
    | JArray of JsonNode list
    | JObject of (string * JsonNode) list

/// Rendering of side-file JSON.
[<RequireQualifiedAccess>]
module JsonNode =
    let rec private append (sb: StringBuilder) (indent: string) (node: JsonNode) : unit =
        match node with
        | JString s -> Json.appendString sb s
        | JInt i -> sb.Append(i.ToString(CultureInfo.InvariantCulture)) |> ignore
        | JBool b -> sb.Append(if b then "true" else "false") |> ignore
        | JNull -> sb.Append "null" |> ignore
        | JArray [] -> sb.Append "[]" |> ignore
        | JArray items ->
            sb.Append('[') |> ignore
            items |> List.iteri (fun i item ->
                if i > 0 then sb.Append(", ") |> ignore
                append sb indent item)
            sb.Append(']') |> ignore
        | JObject [] -> sb.Append "{}" |> ignore
        | JObject fields ->
            let inner = indent + "  "
            sb.Append("{\n") |> ignore
            fields |> List.iteri (fun i (k, v) ->
                if i > 0 then sb.Append(",\n") |> ignore
                sb.Append(inner) |> ignore
                Json.appendString sb k
                sb.Append(": ") |> ignore
                append sb inner v)
            sb.Append('\n').Append(indent).Append('}') |> ignore

    /// One line of JSON, no spaces: for log records and the trailer.
    let rec renderCompact (node: JsonNode) : string =
        match node with
        | JArray items -> "[" + (items |> List.map renderCompact |> String.concat ",") + "]"
        | JObject fields ->
            let field (k, v) =
                let sb = StringBuilder()
                Json.appendString sb k
                sb.Append(':').Append(renderCompact v).ToString()
            "{" + (fields |> List.map field |> String.concat ",") + "}"
        | scalar ->
            let sb = StringBuilder()
            append sb "" scalar
            sb.ToString()

    /// Indented JSON text with a final newline.
    let render (node: JsonNode) : string =
        let sb = StringBuilder()
        append sb "" node
        sb.Append('\n').ToString()

/// Everything trace_metadata.json says about one recording.
type RecordingMetadata =
    { RecordingId: string
      Program: string
      Args: string list
      Workdir: string
      RecorderName: string
      RecorderVersion: string
      RuntimeVersion: string
      StartedAtMicros: int64
      ExitCode: int option
      Outcome: Outcome
      /// Counters (name, value): events written, anomalies, methods instrumented...
      Counters: (string * int64) list
      /// The effective policy: (field, value, source) rows.
      Policy: (string * string * string) list
      /// How the run ended beyond the outcome (termination, program_fault, recorder_error, ...).
      Notes: (string * string) list
      /// The `trace_filter` object: the chain's provenance and the decisions' counters.
      TraceFilter: JsonNode option }

/// The side files of a trace folder.
[<RequireQualifiedAccess>]
module Metadata =
    /// trace_metadata.json: the required fields first, then the recorder's own.
    let toJson (m: RecordingMetadata) : string =
        JObject
            [ "recording_id", JString m.RecordingId
              "program", JString m.Program
              "args", JArray(m.Args |> List.map JString)
              "workdir", JString m.Workdir
              "recorder", JObject [ "name", JString m.RecorderName; "version", JString m.RecorderVersion ]
              "runtime_version", JString m.RuntimeVersion
              "started_at_micros", JInt m.StartedAtMicros
              "exit_code", (match m.ExitCode with Some c -> JInt(int64 c) | None -> JNull)
              "outcome", JString(Outcome.text m.Outcome)
              "counters", JObject(m.Counters |> List.map (fun (k, v) -> k, JInt v))
              "policy", JObject(m.Policy |> List.map (fun (k, v, src) -> k, JObject [ "value", JString v; "source", JString src ]))
              "notes", JObject(m.Notes |> List.groupBy fst |> List.map (fun (k, vs) -> k, JString(vs |> List.map snd |> String.concat "; ")))
              "trace_filter", (match m.TraceFilter with Some node -> node | None -> JNull) ]
        |> JsonNode.render

    /// trace_paths.json: exactly the Path events, in order.
    let pathsToJson (paths: string seq) : string =
        JArray(paths |> Seq.map JString |> List.ofSeq) |> JsonNode.render
