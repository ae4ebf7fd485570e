namespace CodeTracer.Core.Policy

open CodeTracer.Core.Common

/// The policy layer of the environment, read from a map of variables (the shell
/// passes the process environment; nothing here reads it).
[<RequireQualifiedAccess>]
module PolicyEnv =
    let private invalid (variable: string) (value: string) (expected: string) =
        RecorderError.create Usage "ERR_INVALID_POLICY_VALUE" (sprintf "%s=%s: expected %s" variable value expected)
        |> RecorderError.withContext "variable" variable
        |> RecorderError.withContext "value" value

    let private boolWords = "1/true/t/yes/y/on or 0/false/f/no/n/off"

    /// One variable: its name, what it expects, and how it sets the layer.
    type private Reader = string * string * (string -> PolicyLayer -> PolicyLayer option)

    let private readers: Reader list =
        let boolean name set : Reader = name, boolWords, (fun v l -> PolicyValues.tryParseBool v |> Option.map (fun b -> set b l))
        let count name set : Reader = name, "a whole number >= 0", (fun v l -> PolicyValues.tryParseCount v |> Option.map (fun n -> set n l))
        [ "CODETRACER_ON_RECORDER_ERROR", "abort or disable",
          (fun v l -> PolicyValues.tryParseOnRecorderError v |> Option.map (fun x -> { l with OnRecorderError = Some x }))
          boolean "CODETRACER_REQUIRE_TRACE" (fun b l -> { l with RequireTrace = Some b })
          boolean "CODETRACER_KEEP_PARTIAL_TRACE" (fun b l -> { l with KeepPartialTrace = Some b })
          "CODETRACER_LOG_LEVEL", "trace, debug, info, warn or error",
          (fun v l -> PolicyValues.tryParseLogLevel v |> Option.map (fun x -> { l with LogLevel = Some x }))
          "CODETRACER_LOG_FILE", "a path (empty clears it)",
          (fun v l -> Some { l with LogFile = Some(if v = "" then None else Some v) })
          boolean "CODETRACER_JSON_ERRORS" (fun b l -> { l with JsonErrors = Some b })
          "CODETRACER_CAPTURE_IO", "off, console or console+fd",
          (fun v l -> PolicyValues.tryParseIoCapture v |> Option.map (fun x -> { l with IoCapture = Some x }))
          boolean "CODETRACER_PROPAGATE_EXIT_CODE" (fun b l -> { l with PropagateExitCode = Some b })
          count "CODETRACER_MAX_DEPTH" (fun n l -> { l with MaxDepth = Some n })
          count "CODETRACER_MAX_ELEMENTS" (fun n l -> { l with MaxElements = Some n })
          count "CODETRACER_MAX_STRING" (fun n l -> { l with MaxString = Some n })
          "CODETRACER_MAX_TRACE_SIZE", PolicyValues.sizeWords,
          (fun v l -> PolicyValues.tryParseSize v |> Option.map (fun n -> { l with MaxTraceSize = Some n }))
          "CODETRACER_OUT_DIR", "a folder path",
          (fun v l -> if v.Trim() = "" then None else Some { l with OutDir = Some v })
          "CODETRACER_FORMAT", "binary or json",
          (fun v l -> PolicyValues.tryParseFormat v |> Option.map (fun x -> { l with Format = Some x }))
          "CODETRACER_TRACE_FILTER", "filter paths joined with ::",
          (fun v l -> Some { l with TraceFilters = Some(PolicyValues.splitPaths v) })
          boolean "CODETRACER_DISABLED" (fun b l -> { l with Disabled = Some b }) ]

    /// The variables this layer reads, for documentation and `codetracer policy`.
    let variables = readers |> List.map (fun (name, _, _) -> name)

    /// The environment's layer, or every bad value as an `ERR_INVALID_POLICY_VALUE`
    /// naming the variable and the value. Variables not set leave their field alone.
    let parse (environment: Map<string, string>) : Result<PolicyLayer, RecorderError list> =
        let step (layer, errors) (name, expected, set) =
            match Map.tryFind name environment with
            | None -> layer, errors
            | Some value ->
                match set value layer with
                | Some layer' -> layer', errors
                | None -> layer, errors @ [ invalid name value expected ]
        match List.fold step (PolicyLayer.empty, []) readers with
        | layer, [] -> Ok layer
        | _, errors -> Error errors
