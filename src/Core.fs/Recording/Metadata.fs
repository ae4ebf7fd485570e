namespace CodeTracer.Core.Recording

open CodeTracer.Core.Common

/// How a recording ended.
type Outcome =
    | Complete
    | Partial
    /// Capture stopped at max_trace_size; the program ran on unrecorded.
    | Truncated
    | Disabled
    | Failed

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
    /// The outcome as the metadata spells it.
    let outcomeText =
        function
        | Complete -> "complete"
        | Partial -> "partial"
        | Truncated -> "truncated"
        | Disabled -> "disabled"
        | Failed -> "failed"

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
              "outcome", JString(outcomeText m.Outcome)
              "counters", JObject(m.Counters |> List.map (fun (k, v) -> k, JInt v))
              "policy", JObject(m.Policy |> List.map (fun (k, v, src) -> k, JObject [ "value", JString v; "source", JString src ]))
              "notes", JObject(m.Notes |> List.groupBy fst |> List.map (fun (k, vs) -> k, JString(vs |> List.map snd |> String.concat "; ")))
              "trace_filter", (match m.TraceFilter with Some node -> node | None -> JNull) ]
        |> JsonNode.render

    /// trace_paths.json: exactly the Path events, in order.
    let pathsToJson (paths: string seq) : string =
        JArray(paths |> Seq.map JString |> List.ofSeq) |> JsonNode.render
