namespace CodeTracer.Core.Policy

/// Layers and their merge: defaults < environment < command line < API.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PolicyLayer =
    /// A layer that sets nothing.
    let empty: PolicyLayer =
        { OnRecorderError = None
          RequireTrace = None
          KeepPartialTrace = None
          LogLevel = None
          LogFile = None
          JsonErrors = None
          IoCapture = None
          PropagateExitCode = None
          MaxDepth = None
          MaxElements = None
          MaxString = None
          MaxTraceSize = None
          OutDir = None
          Format = None
          TraceFilters = None
          Disabled = None }

    let private pick later earlier =
        match later with
        | Some _ -> later
        | None -> earlier

    /// Filter paths accumulate: the chain applies the environment's files, then the command line's.
    let private both (upper: string list option) (lower: string list option) =
        match lower, upper with
        | Some l, Some u -> Some(l @ u)
        | _ -> pick upper lower

    /// `upper` over `lower`, field by field: a field `upper` sets wins, one it leaves keeps `lower`'s;
    /// trace filter paths are the exception, they add up in order.
    let merge (lower: PolicyLayer) (upper: PolicyLayer) : PolicyLayer =
        { OnRecorderError = pick upper.OnRecorderError lower.OnRecorderError
          RequireTrace = pick upper.RequireTrace lower.RequireTrace
          KeepPartialTrace = pick upper.KeepPartialTrace lower.KeepPartialTrace
          LogLevel = pick upper.LogLevel lower.LogLevel
          LogFile = pick upper.LogFile lower.LogFile
          JsonErrors = pick upper.JsonErrors lower.JsonErrors
          IoCapture = pick upper.IoCapture lower.IoCapture
          PropagateExitCode = pick upper.PropagateExitCode lower.PropagateExitCode
          MaxDepth = pick upper.MaxDepth lower.MaxDepth
          MaxElements = pick upper.MaxElements lower.MaxElements
          MaxString = pick upper.MaxString lower.MaxString
          MaxTraceSize = pick upper.MaxTraceSize lower.MaxTraceSize
          OutDir = pick upper.OutDir lower.OutDir
          Format = pick upper.Format lower.Format
          TraceFilters = both upper.TraceFilters lower.TraceFilters
          Disabled = pick upper.Disabled lower.Disabled }

/// The effective policy.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Policy =
    let private d v = { Value = v; Source = Default }

    /// The spec's defaults.
    let defaults: Policy =
        { OnRecorderError = d Abort
          RequireTrace = d false
          KeepPartialTrace = d false
          LogLevel = d LogLevel.Warn
          LogFile = d None
          JsonErrors = d false
          IoCapture = d IoCapture.Console
          PropagateExitCode = d false
          MaxDepth = d 8
          MaxElements = d 100
          MaxString = d 1000
          MaxTraceSize = d PolicyValues.defaultMaxTraceSize
          OutDir = d "./trace-out"
          Format = d TraceFormat.Binary
          TraceFilters = d []
          Disabled = d false }

    let private over source (layerValue: 'T option) (current: Sourced<'T>) =
        match layerValue with
        | Some v -> { Value = v; Source = source }
        | None -> current

    /// The policy with one more layer on top, its fields marked with `source`.
    let apply (source: Source) (layer: PolicyLayer) (p: Policy) : Policy =
        { OnRecorderError = over source layer.OnRecorderError p.OnRecorderError
          RequireTrace = over source layer.RequireTrace p.RequireTrace
          KeepPartialTrace = over source layer.KeepPartialTrace p.KeepPartialTrace
          LogLevel = over source layer.LogLevel p.LogLevel
          LogFile = over source layer.LogFile p.LogFile
          JsonErrors = over source layer.JsonErrors p.JsonErrors
          IoCapture = over source layer.IoCapture p.IoCapture
          PropagateExitCode = over source layer.PropagateExitCode p.PropagateExitCode
          MaxDepth = over source layer.MaxDepth p.MaxDepth
          MaxElements = over source layer.MaxElements p.MaxElements
          MaxString = over source layer.MaxString p.MaxString
          MaxTraceSize = over source layer.MaxTraceSize p.MaxTraceSize
          OutDir = over source layer.OutDir p.OutDir
          Format = over source layer.Format p.Format
          TraceFilters =
            match layer.TraceFilters with
            | Some paths -> { Value = p.TraceFilters.Value @ paths; Source = source }
            | None -> p.TraceFilters
          Disabled = over source layer.Disabled p.Disabled }

    /// Defaults < environment < command line < API.
    let resolve (env: PolicyLayer) (cli: PolicyLayer) (api: PolicyLayer) : Policy =
        defaults |> apply Env env |> apply Cli cli |> apply Api api

    /// Every field as (name, value text, source), in the spec's order, for
    /// `codetracer policy` and the metadata.
    let describe (p: Policy) : (string * string * Source) list =
        let row name (s: Sourced<'T>) (text: 'T -> string) = name, text s.Value, s.Source
        [ row "on_recorder_error" p.OnRecorderError PolicyValues.onRecorderErrorText
          row "require_trace" p.RequireTrace (fun b -> if b then "true" else "false")
          row "keep_partial_trace" p.KeepPartialTrace (fun b -> if b then "true" else "false")
          row "log_level" p.LogLevel PolicyValues.logLevelText
          row "log_file" p.LogFile (Option.defaultValue "")
          row "json_errors" p.JsonErrors (fun b -> if b then "true" else "false")
          row "io_capture" p.IoCapture PolicyValues.ioCaptureText
          row "propagate_exit_code" p.PropagateExitCode (fun b -> if b then "true" else "false")
          row "max_depth" p.MaxDepth string
          row "max_elements" p.MaxElements string
          row "max_string" p.MaxString string
          row "max_trace_size" p.MaxTraceSize PolicyValues.sizeText
          row "out_dir" p.OutDir id
          row "format" p.Format PolicyValues.formatText
          row "trace_filters" p.TraceFilters (String.concat "::")
          row "disabled" p.Disabled (fun b -> if b then "true" else "false") ]
