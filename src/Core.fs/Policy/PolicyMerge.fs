namespace CodeTracer.Core.Policy

/// Layers and their one merge: defaults < environment < command line < API.
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

    /// `upper` over `lower`, setting by setting: a value `upper` sets wins, one it leaves keeps `lower`'s;
    /// trace filter paths are the exception, they add up in order (see `Kind.Combine`).
    let merge (lower: PolicyLayer) (upper: PolicyLayer) : PolicyLayer =
        PolicySettings.all |> List.fold (fun layer setting -> setting.Over upper layer) lower

/// The effective policy.
[<RequireQualifiedAccess; CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module Policy =
    let private d (s: Setting<'T>) = { Value = s.Default; Source = Default }

    /// The table's defaults.
    let defaults: Policy =
        { OnRecorderError = d PolicySettings.onRecorderError
          RequireTrace = d PolicySettings.requireTrace
          KeepPartialTrace = d PolicySettings.keepPartialTrace
          LogLevel = d PolicySettings.logLevel
          LogFile = d PolicySettings.logFile
          JsonErrors = d PolicySettings.jsonErrors
          IoCapture = d PolicySettings.ioCapture
          PropagateExitCode = d PolicySettings.propagateExitCode
          MaxDepth = d PolicySettings.maxDepth
          MaxElements = d PolicySettings.maxElements
          MaxString = d PolicySettings.maxString
          MaxTraceSize = d PolicySettings.maxTraceSize
          OutDir = d PolicySettings.outDir
          Format = d PolicySettings.format
          TraceFilters = d PolicySettings.traceFilters
          Disabled = d PolicySettings.disabled }

    /// Defaults < environment < command line < API: each value is the merge of the layers'
    /// (`PolicyLayer.merge`), its source the highest layer that set it.
    let resolve (env: PolicyLayer) (cli: PolicyLayer) (api: PolicyLayer) : Policy =
        let layers = [ Env, env; Cli, cli; Api, api ]
        let merged = layers |> List.map snd |> List.fold PolicyLayer.merge PolicyLayer.empty
        let settle policy (setting: PolicySetting) =
            match layers |> List.tryFindBack (fun (_, layer) -> setting.IsSetIn layer) with
            | Some(source, _) -> setting.Resolve source merged policy
            | None -> policy
        PolicySettings.all |> List.fold settle defaults

    /// Every setting as (name, value text, source), in the spec's order, for
    /// `codetracer policy` and the metadata.
    let describe (p: Policy) : (string * string * Source) list =
        PolicySettings.all
        |> List.map (fun setting ->
            let text, source = setting.Describe p
            setting.Name, text, source)
