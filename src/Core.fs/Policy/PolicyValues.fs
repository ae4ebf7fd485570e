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

    /// The units of a size, each 1024 times the one before.
    let private units = [ 'K', 1L <<< 10; 'M', 1L <<< 20; 'G', 1L <<< 30; 'T', 1L <<< 40 ]

    /// What a size may be, for errors and help.
    let sizeWords = "a size such as 500M, 8G or 4096 (bytes; K, M, G, T are powers of 1024; 0: no limit)"

    /// A size in bytes: a whole number, optionally followed by K, M, G or T (powers of 1024,
    /// any case, an optional `B` or `iB` after). None when malformed or beyond int64.
    let tryParseSize (s: string) : int64 option =
        let t = s.Trim().ToUpperInvariant()
        let t = if t.EndsWith "IB" then t.Substring(0, t.Length - 2) elif t.EndsWith "B" && t.Length > 1 && not (Char.IsDigit t.[t.Length - 2]) then t.Substring(0, t.Length - 1) else t
        let digits, factor =
            match units |> List.tryFind (fun (u, _) -> t.EndsWith(string u)) with
            | Some(_, f) -> t.Substring(0, t.Length - 1), f
            | None -> t, 1L
        match Int64.TryParse(digits, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, n when n <= Int64.MaxValue / factor -> Some(n * factor)
        | _ -> None

    /// A size in its largest whole unit (`4G`, `1536M`, `100`); 0 is `0` (no limit).
    let sizeText (bytes: int64) : string =
        match units |> List.rev |> List.tryFind (fun (_, f) -> bytes <> 0L && bytes % f = 0L) with
        | Some(u, f) -> sprintf "%d%c" (bytes / f) u
        | None -> string bytes

    /// The default max_trace_size: 4 GiB of raw log (about 200 million steps of a plain loop,
    /// a trace.bin of about 1 GB), enough for a long test suite while a runaway loop cannot
    /// fill the disk.
    let defaultMaxTraceSize = 4L <<< 30

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
