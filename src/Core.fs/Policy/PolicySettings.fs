namespace CodeTracer.Core.Policy

/// One policy setting: its names on every surface, its kind, its default, and where it
/// lives in a layer and in the effective policy.
type Setting<'T> =
    { /// As in the spec, `trace_metadata.json` and `codetracer policy`.
      Name: string
      /// The environment variable of the environment's layer.
      Variable: string
      /// The long option of `codetracer record`, without dashes (a switch also has `--no-` before it);
      /// None: the command line has no option for it.
      Flag: string option
      /// Whether the C# `RecordingOptions` has it, as a property named in PascalCase.
      Api: bool
      Kind: Kind<'T>
      Default: 'T
      /// What it does, for the help.
      Description: string
      Layer: Lens<PolicyLayer, 'T option>
      Policy: Lens<Policy, Sourced<'T>> }

    /// `layer` with this setting set to `value` (for C#, which cannot write `{ l with ... }`).
    member s.SetIn(layer: PolicyLayer, value: 'T) : PolicyLayer = s.Layer.Set (Some value) layer

/// A row of the table with its value type hidden: what every setting does alike.
type PolicySetting =
    { Name: string
      Variable: string
      Flag: string option
      Switch: bool
      /// Whether the values of several layers add up (see `Kind.Combine`) instead of the highest winning.
      Combines: bool
      Api: bool
      Description: string
      Expected: string
      DefaultText: string
      /// A text as a change that sets this setting on a layer, or what was expected.
      Read: string -> Result<PolicyLayer -> PolicyLayer, string>
      IsSetIn: PolicyLayer -> bool
      /// `Over upper lower`: `lower` with `upper`'s value over it, if `upper` sets one.
      Over: PolicyLayer -> PolicyLayer -> PolicyLayer
      /// `Resolve source layer policy`: the policy with the layer's value, from `source`, if it sets one.
      Resolve: Source -> PolicyLayer -> Policy -> Policy
      /// The value's text and source in a policy.
      Describe: Policy -> string * Source }

/// The table: one row per policy setting, in the spec's order. Merge, the environment's
/// layer, `codetracer policy`, the metadata and the command line's policy options are
/// computed from it; the CLI's Argu cases and the C# options are checked against it by tests.
[<RequireQualifiedAccess>]
module PolicySettings =
    let onRecorderError: Setting<OnRecorderError> =
        { Name = "on_recorder_error"; Variable = "CODETRACER_ON_RECORDER_ERROR"; Flag = Some "on-recorder-error"; Api = true
          Kind = PolicyKinds.onRecorderError; Default = Abort
          Description = "what a recorder failure does: stop the recording, or detach and keep a partial trace"
          Layer = { Get = (fun l -> l.OnRecorderError); Set = (fun v l -> { l with OnRecorderError = v }) }
          Policy = { Get = (fun p -> p.OnRecorderError); Set = (fun v p -> { p with OnRecorderError = v }) } }

    let requireTrace: Setting<bool> =
        { Name = "require_trace"; Variable = "CODETRACER_REQUIRE_TRACE"; Flag = Some "require-trace"; Api = true
          Kind = PolicyKinds.boolean; Default = false
          Description = "fail when the recording holds no call of the program"
          Layer = { Get = (fun l -> l.RequireTrace); Set = (fun v l -> { l with RequireTrace = v }) }
          Policy = { Get = (fun p -> p.RequireTrace); Set = (fun v p -> { p with RequireTrace = v }) } }

    let keepPartialTrace: Setting<bool> =
        { Name = "keep_partial_trace"; Variable = "CODETRACER_KEEP_PARTIAL_TRACE"; Flag = Some "keep-partial-trace"; Api = true
          Kind = PolicyKinds.boolean; Default = false
          Description = "keep the partial trace of a failed recording instead of deleting it"
          Layer = { Get = (fun l -> l.KeepPartialTrace); Set = (fun v l -> { l with KeepPartialTrace = v }) }
          Policy = { Get = (fun p -> p.KeepPartialTrace); Set = (fun v p -> { p with KeepPartialTrace = v }) } }

    let logLevel: Setting<LogLevel> =
        { Name = "log_level"; Variable = "CODETRACER_LOG_LEVEL"; Flag = Some "log-level"; Api = true
          Kind = PolicyKinds.logLevel; Default = LogLevel.Warn
          Description = "how much the recorder logs"
          Layer = { Get = (fun l -> l.LogLevel); Set = (fun v l -> { l with LogLevel = v }) }
          Policy = { Get = (fun p -> p.LogLevel); Set = (fun v p -> { p with LogLevel = v }) } }

    let logFile: Setting<string option> =
        { Name = "log_file"; Variable = "CODETRACER_LOG_FILE"; Flag = Some "log-file"; Api = true
          Kind = PolicyKinds.optionalPath; Default = None
          Description = "write the JSON-lines log to this file instead of stderr"
          Layer = { Get = (fun l -> l.LogFile); Set = (fun v l -> { l with LogFile = v }) }
          Policy = { Get = (fun p -> p.LogFile); Set = (fun v p -> { p with LogFile = v }) } }

    // The C# API returns failures as outcomes and prints nothing, so it has no trailer to ask for.
    let jsonErrors: Setting<bool> =
        { Name = "json_errors"; Variable = "CODETRACER_JSON_ERRORS"; Flag = Some "json-errors"; Api = false
          Kind = PolicyKinds.boolean; Default = false
          Description = "on failure, print one JSON trailer line on stderr"
          Layer = { Get = (fun l -> l.JsonErrors); Set = (fun v l -> { l with JsonErrors = v }) }
          Policy = { Get = (fun p -> p.JsonErrors); Set = (fun v p -> { p with JsonErrors = v }) } }

    let ioCapture: Setting<IoCapture> =
        { Name = "io_capture"; Variable = "CODETRACER_CAPTURE_IO"; Flag = Some "io-capture"; Api = true
          Kind = PolicyKinds.ioCapture; Default = IoCapture.Console
          Description = "which program output is recorded as events"
          Layer = { Get = (fun l -> l.IoCapture); Set = (fun v l -> { l with IoCapture = v }) }
          Policy = { Get = (fun p -> p.IoCapture); Set = (fun v p -> { p with IoCapture = v }) } }

    let propagateExitCode: Setting<bool> =
        { Name = "propagate_exit_code"; Variable = "CODETRACER_PROPAGATE_EXIT_CODE"; Flag = Some "propagate-exit-code"; Api = true
          Kind = PolicyKinds.boolean; Default = false
          Description = "exit with the program's own exit code instead of 0"
          Layer = { Get = (fun l -> l.PropagateExitCode); Set = (fun v l -> { l with PropagateExitCode = v }) }
          Policy = { Get = (fun p -> p.PropagateExitCode); Set = (fun v p -> { p with PropagateExitCode = v }) } }

    let maxDepth: Setting<int> =
        { Name = "max_depth"; Variable = "CODETRACER_MAX_DEPTH"; Flag = Some "max-depth"; Api = true
          Kind = PolicyKinds.count; Default = 8
          Description = "how deep nested values are read"
          Layer = { Get = (fun l -> l.MaxDepth); Set = (fun v l -> { l with MaxDepth = v }) }
          Policy = { Get = (fun p -> p.MaxDepth); Set = (fun v p -> { p with MaxDepth = v }) } }

    let maxElements: Setting<int> =
        { Name = "max_elements"; Variable = "CODETRACER_MAX_ELEMENTS"; Flag = Some "max-elements"; Api = true
          Kind = PolicyKinds.count; Default = 100
          Description = "how many elements of a collection are recorded"
          Layer = { Get = (fun l -> l.MaxElements); Set = (fun v l -> { l with MaxElements = v }) }
          Policy = { Get = (fun p -> p.MaxElements); Set = (fun v p -> { p with MaxElements = v }) } }

    let maxString: Setting<int> =
        { Name = "max_string"; Variable = "CODETRACER_MAX_STRING"; Flag = Some "max-string"; Api = true
          Kind = PolicyKinds.count; Default = 1000
          Description = "how many characters of a string are recorded"
          Layer = { Get = (fun l -> l.MaxString); Set = (fun v l -> { l with MaxString = v }) }
          Policy = { Get = (fun p -> p.MaxString); Set = (fun v p -> { p with MaxString = v }) } }

    let maxTraceSize: Setting<int64> =
        { Name = "max_trace_size"; Variable = "CODETRACER_MAX_TRACE_SIZE"; Flag = Some "max-trace-size"; Api = true
          Kind = PolicyKinds.size; Default = PolicyValues.defaultMaxTraceSize
          Description = "stop capturing once the raw log reaches this size: the program runs on unrecorded and the trace is truncated there"
          Layer = { Get = (fun l -> l.MaxTraceSize); Set = (fun v l -> { l with MaxTraceSize = v }) }
          Policy = { Get = (fun p -> p.MaxTraceSize); Set = (fun v p -> { p with MaxTraceSize = v }) } }

    let outDir: Setting<string> =
        { Name = "out_dir"; Variable = "CODETRACER_OUT_DIR"; Flag = Some "out-dir"; Api = true
          Kind = PolicyKinds.folder; Default = "./trace-out"
          Description = "the trace folder to write"
          Layer = { Get = (fun l -> l.OutDir); Set = (fun v l -> { l with OutDir = v }) }
          Policy = { Get = (fun p -> p.OutDir); Set = (fun v p -> { p with OutDir = v }) } }

    let format: Setting<TraceFormat> =
        { Name = "format"; Variable = "CODETRACER_FORMAT"; Flag = Some "format"; Api = true
          Kind = PolicyKinds.format; Default = TraceFormat.Binary
          Description = "write trace.bin (CBOR events in zstd frames) or trace.json"
          Layer = { Get = (fun l -> l.Format); Set = (fun v l -> { l with Format = v }) }
          Policy = { Get = (fun p -> p.Format); Set = (fun v p -> { p with Format = v }) } }

    let traceFilters: Setting<string list> =
        { Name = "trace_filters"; Variable = "CODETRACER_TRACE_FILTER"; Flag = Some "trace-filter"; Api = true
          Kind = PolicyKinds.paths; Default = []
          Description = "trace filter files, applied after the project's"
          Layer = { Get = (fun l -> l.TraceFilters); Set = (fun v l -> { l with TraceFilters = v }) }
          Policy = { Get = (fun p -> p.TraceFilters); Set = (fun v p -> { p with TraceFilters = v }) } }

    // Recording nothing is asked of the environment (a script that records by default), not of
    // a command line or a program that asked for a recording.
    let disabled: Setting<bool> =
        { Name = "disabled"; Variable = "CODETRACER_DISABLED"; Flag = None; Api = false
          Kind = PolicyKinds.boolean; Default = false
          Description = "run the program unrecorded and keep its exit code"
          Layer = { Get = (fun l -> l.Disabled); Set = (fun v l -> { l with Disabled = v }) }
          Policy = { Get = (fun p -> p.Disabled); Set = (fun v p -> { p with Disabled = v }) } }

    /// The row of a setting, its value type hidden.
    let private row (s: Setting<'T>) : PolicySetting =
        let set (v: 'T) = s.Layer.Set(Some v)
        { Name = s.Name
          Variable = s.Variable
          Flag = s.Flag
          Switch = s.Kind.Switch
          Combines = s.Kind.Combine.IsSome
          Api = s.Api
          Description = s.Description
          Expected = s.Kind.Expected
          DefaultText = s.Kind.Text s.Default
          Read =
            fun text ->
                match s.Kind.Parse text with
                | Some v -> Ok(set v)
                | None -> Error s.Kind.Expected
          IsSetIn = fun layer -> (s.Layer.Get layer).IsSome
          Over =
            fun upper lower ->
                match s.Layer.Get upper, s.Layer.Get lower, s.Kind.Combine with
                | None, _, _ -> lower
                | Some u, Some l, Some combine -> set (combine l u) lower
                | Some u, _, _ -> set u lower
          Resolve =
            fun source layer policy ->
                match s.Layer.Get layer with
                | Some v -> s.Policy.Set { Value = v; Source = source } policy
                | None -> policy
          Describe =
            fun policy ->
                let v = s.Policy.Get policy
                s.Kind.Text v.Value, v.Source }

    /// Every setting, in the spec's order (the order of `codetracer policy`, the metadata and errors).
    let all: PolicySetting list =
        [ row onRecorderError
          row requireTrace
          row keepPartialTrace
          row logLevel
          row logFile
          row jsonErrors
          row ioCapture
          row propagateExitCode
          row maxDepth
          row maxElements
          row maxString
          row maxTraceSize
          row outDir
          row format
          row traceFilters
          row disabled ]
