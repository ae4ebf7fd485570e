namespace CodeTracer.Core.Diagnostics

open CodeTracer.Core.Common
open CodeTracer.Core.Policy
open CodeTracer.Core.Recording

/// One log line: `{"ts_micros","level","target","run_id","trace_id","message","error_code"?,"fields"?}`.
type LogRecord =
    { TsMicros: int64
      Level: LogLevel
      /// The part of the recorder that speaks: `bootstrap`, `instrument`, `launch`, `convert`, `finalise`.
      Target: string
      RunId: string
      TraceId: string
      Message: string
      ErrorCode: string option
      Fields: (string * string) list }

/// Log lines and the error trailer, as JSON lines.
[<RequireQualifiedAccess>]
module Reporting =
    let private rank =
        function
        | LogLevel.Trace -> 0
        | LogLevel.Debug -> 1
        | LogLevel.Info -> 2
        | LogLevel.Warn -> 3
        | LogLevel.Error -> 4

    /// Whether a record at `level` is written when the policy's level is `threshold`.
    let enabled (threshold: LogLevel) (level: LogLevel) = rank level >= rank threshold

    let private context (pairs: (string * string) list) = JObject(pairs |> List.map (fun (k, v) -> k, JString v))

    /// The log record as one JSON line (no newline).
    let logLine (r: LogRecord) : string =
        JObject(
            [ "ts_micros", JInt r.TsMicros
              "level", JString(PolicyValues.logLevelText r.Level)
              "target", JString r.Target
              "run_id", JString r.RunId
              "trace_id", JString r.TraceId
              "message", JString r.Message ]
            @ (match r.ErrorCode with Some c -> [ "error_code", JString c ] | None -> [])
            @ (if r.Fields.IsEmpty then [] else [ "fields", context r.Fields ]))
        |> JsonNode.renderCompact

    /// The error kind as the trailer spells it.
    let kindText =
        function
        | Usage -> "usage"
        | Environment -> "environment"
        | Target -> "target"
        | Internal -> "internal"

    /// The trailer printed on stderr with json_errors when a run fails: one JSON line.
    let trailer (runId: string) (traceId: string) (e: RecorderError) : string =
        JObject
            [ "run_id", JString runId
              "trace_id", JString traceId
              "error_code", JString e.Code
              "error_kind", JString(kindText e.Kind)
              "message", JString e.Message
              "context", context e.Context ]
        |> JsonNode.renderCompact
