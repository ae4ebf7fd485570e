namespace CodeTracer.Core.Policy

open System

/// The spellings of policy values, shared by the environment, the command line and the metadata.
[<RequireQualifiedAccess>]
module PolicyValues =
    /// `abort` / `disable`.
    let onRecorderErrorText =
        function
        | Abort -> "abort"
        | Disable -> "disable"

    /// Parses `abort` / `disable`, case-insensitively.
    let tryParseOnRecorderError (s: string) =
        match s.Trim().ToLowerInvariant() with
        | "abort" -> Some Abort
        | "disable" -> Some Disable
        | _ -> None

    /// `trace`, `debug`, `info`, `warn`, `error`.
    let logLevelText =
        function
        | LogLevel.Trace -> "trace"
        | LogLevel.Debug -> "debug"
        | LogLevel.Info -> "info"
        | LogLevel.Warn -> "warn"
        | LogLevel.Error -> "error"

    /// Parses a log level (`warning` is accepted for `warn`).
    let tryParseLogLevel (s: string) =
        match s.Trim().ToLowerInvariant() with
        | "trace" -> Some LogLevel.Trace
        | "debug" -> Some LogLevel.Debug
        | "info" -> Some LogLevel.Info
        | "warn"
        | "warning" -> Some LogLevel.Warn
        | "error" -> Some LogLevel.Error
        | _ -> None

    /// `off`, `console`, `console+fd`.
    let ioCaptureText =
        function
        | IoCapture.Off -> "off"
        | IoCapture.Console -> "console"
        | IoCapture.ConsoleAndFd -> "console+fd"

    /// Parses an IO capture mode.
    let tryParseIoCapture (s: string) =
        match s.Trim().ToLowerInvariant() with
        | "off" -> Some IoCapture.Off
        | "console" -> Some IoCapture.Console
        | "console+fd" -> Some IoCapture.ConsoleAndFd
        | _ -> None

    /// `binary` / `json`.
    let formatText =
        function
        | TraceFormat.Binary -> "binary"
        | TraceFormat.Json -> "json"

    /// Parses `binary` / `json`, case-insensitively.
    let tryParseFormat (s: string) =
        match s.Trim().ToLowerInvariant() with
        | "binary" -> Some TraceFormat.Binary
        | "json" -> Some TraceFormat.Json
        | _ -> None

    /// The name of the events file a format writes: `trace.bin` or `trace.json`.
    let traceFileName =
        function
        | TraceFormat.Binary -> "trace.bin"
        | TraceFormat.Json -> "trace.json"

    /// The spec's boolean words: 1/true/t/yes/y/on and 0/false/f/no/n/off, any case.
    let tryParseBool (s: string) =
        match s.Trim().ToLowerInvariant() with
        | "1" | "true" | "t" | "yes" | "y" | "on" -> Some true
        | "0" | "false" | "f" | "no" | "n" | "off" -> Some false
        | _ -> None

    /// A non-negative whole number.
    let tryParseCount (s: string) =
        match Int32.TryParse(s.Trim(), Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, n -> Some n
        | _ -> None

    /// Filter paths joined with `::`, empty parts left out.
    let splitPaths (s: string) =
        s.Split("::") |> Array.map (fun p -> p.Trim()) |> Array.filter (fun p -> p <> "") |> List.ofArray

    /// `default`, `env`, `cli`, `api`.
    let sourceText =
        function
        | Default -> "default"
        | Env -> "env"
        | Cli -> "cli"
        | Api -> "api"
