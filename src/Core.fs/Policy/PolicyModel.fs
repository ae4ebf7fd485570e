namespace CodeTracer.Core.Policy

/// What a recorder failure does to the recording.
type OnRecorderError =
    /// Stop the recording with an error.
    | Abort
    /// Detach the recorder and let the program run on; the trace is kept as partial.
    | Disable

/// How much the recorder logs.
[<RequireQualifiedAccess>]
type LogLevel =
    | Trace
    | Debug
    | Info
    | Warn
    | Error

/// Which program output becomes trace events.
[<RequireQualifiedAccess>]
type IoCapture =
    | Off
    | Console
    | ConsoleAndFd

/// Which file of the trace folder holds the events.
[<RequireQualifiedAccess>]
type TraceFormat =
    /// `trace.bin`: CBOR events in zstd frames with a seek table (the default).
    | Binary
    /// `trace.json`: one JSON array.
    | Json

/// Where a policy value came from; later sources win.
type Source =
    | Default
    | Env
    | Cli
    | Api

/// A policy value with its source.
type Sourced<'T> = { Value: 'T; Source: Source }

/// One layer of settings (the environment, the command line, an API call):
/// a field left at None leaves the value of the layers below it.
type PolicyLayer =
    { OnRecorderError: OnRecorderError option
      RequireTrace: bool option
      KeepPartialTrace: bool option
      LogLevel: LogLevel option
      /// Some None clears a log file set below.
      LogFile: string option option
      JsonErrors: bool option
      IoCapture: IoCapture option
      PropagateExitCode: bool option
      MaxDepth: int option
      MaxElements: int option
      MaxString: int option
      /// Bytes of raw log after which capture stops (0: no limit).
      MaxTraceSize: int64 option
      OutDir: string option
      Format: TraceFormat option
      TraceFilters: string list option
      Disabled: bool option }

/// The effective policy: every field with its value and source.
type Policy =
    { OnRecorderError: Sourced<OnRecorderError>
      RequireTrace: Sourced<bool>
      KeepPartialTrace: Sourced<bool>
      LogLevel: Sourced<LogLevel>
      LogFile: Sourced<string option>
      JsonErrors: Sourced<bool>
      IoCapture: Sourced<IoCapture>
      PropagateExitCode: Sourced<bool>
      MaxDepth: Sourced<int>
      MaxElements: Sourced<int>
      MaxString: Sourced<int>
      MaxTraceSize: Sourced<int64>
      OutDir: Sourced<string>
      Format: Sourced<TraceFormat>
      TraceFilters: Sourced<string list>
      Disabled: Sourced<bool> }
