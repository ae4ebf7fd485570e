/// One workload at one length: run plain, then recorded through the real CLI.
module CodeTracer.Bench.Measure

open System
open System.Globalization
open System.IO
open System.Text.Json

type Paths = { Workloads: string; Cli: string }

type Plain = { WorkMs: float; Checksum: string; PeakMb: float }

type Recording =
    { WorkMs: float
      Checksum: string
      Steps: int64
      Events: int64
      RawLogBytes: int64
      /// The trace file the folder holds (trace.bin or trace.json) and its size.
      TraceFile: string
      TraceBytes: int64
      /// From the program's exit to the end of conversion, and to the published trace.
      ConvertMs: float
      ReadyMs: float
      RecorderMb: float
      ProgramMb: float }

/// `work-ms X` and `checksum Y`, as Workloads prints them.
let private workLines (stdout: string) : Result<float * string, string> =
    let value (key: string) =
        stdout.Split('\n')
        |> Array.tryPick (fun l -> if l.StartsWith(key + " ") then Some(l.Substring(key.Length + 1).Trim()) else None)
    match value "work-ms", value "checksum" with
    | Some ms, Some sum -> Ok(Double.Parse(ms, CultureInfo.InvariantCulture), sum)
    | _ -> Error(sprintf "no work-ms/checksum lines in the program's output: %s" stdout)

let private failure (what: string) (run: ChildProcess.Finished) =
    Error(sprintf "%s exited with %d: %s" what run.ExitCode (run.Stderr.Trim()))

/// Three plain runs: the fastest time (the work is short, and the quickest run is the least
/// disturbed) and the highest peak (a run that ends before the first poll has none).
let plain (paths: Paths) (workload: string) (size: int) : Result<Plain, string> =
    let once () =
        let run = ChildProcess.dotnet [ paths.Workloads; workload; string size ] []
        if run.ExitCode <> 0 then failure "the plain program" run
        else workLines run.Stdout |> Result.map (fun (ms, sum) -> { WorkMs = ms; Checksum = sum; PeakMb = run.Peaks.Self })
    [ once (); once (); once () ]
    |> List.reduce (fun a b ->
        match a, b with
        | Ok x, Ok y -> Ok { (if y.WorkMs < x.WorkMs then y else x) with PeakMb = max x.PeakMb y.PeakMb }
        | (Error _ as e), _ | _, (Error _ as e) -> e)

/// The JSON log lines of a recording, by message: (timestamp in ms, fields).
let private logLines (file: string) : Map<string, float * JsonElement> =
    File.ReadAllLines file
    |> Array.map (fun l -> JsonDocument.Parse(l).RootElement)
    |> Array.map (fun e ->
        e.GetProperty("message").GetString() |> nonNull,
        (float (e.GetProperty("ts_micros").GetInt64()) / 1000.0,
         match e.TryGetProperty "fields" with
         | true, f -> f
         | _ -> JsonElement()))
    |> Map.ofArray

/// Records the workload into `folder` with the CLI; `format` sets CODETRACER_FORMAT (None: the default format).
let record (paths: Paths) (workload: string) (size: int) (folder: string) (format: string option) : Result<Recording, string> =
    let trace = Path.Combine(folder, "trace")
    let log = Path.Combine(folder, "log.jsonl")
    Directory.CreateDirectory folder |> ignore
    let run =
        ChildProcess.dotnet
            [ paths.Cli; "record"; "-o"; trace; "--log-level"; "info"; "--log-file"; log; paths.Workloads; "--"; workload; string size ]
            [ "CODETRACER_FORMAT", format ]
    if run.ExitCode <> 0 then failure "codetracer record" run
    else
        let lines = logLines log
        let at (message: string) =
            match lines.TryFind message with
            | Some line -> Ok line
            | None -> Error(sprintf "no \"%s\" line in %s" message log)
        let count (fields: JsonElement) (name: string) = Int64.Parse(fields.GetProperty(name).GetString() |> nonNull)
        match workLines run.Stdout, at "the program exited", at "converted the raw log", at "the trace is ready" with
        | Ok(ms, sum), Ok(exited, _), Ok(converted, fields), Ok(ready, _) ->
            let file =
                [ "trace.bin"; "trace.json" ] |> List.tryFind (fun f -> File.Exists(Path.Combine(trace, f))) |> Option.defaultValue "none"
            Ok
                { WorkMs = ms
                  Checksum = sum
                  Steps = count fields "steps"
                  Events = count fields "events"
                  RawLogBytes = count fields "raw_log_bytes"
                  TraceFile = file
                  TraceBytes = if file = "none" then 0L else FileInfo(Path.Combine(trace, file)).Length
                  ConvertMs = converted - exited
                  ReadyMs = ready - exited
                  RecorderMb = run.Peaks.Self
                  ProgramMb = run.Peaks.Children }
        | Error e, _, _, _ | _, Error e, _, _ | _, _, Error e, _ | _, _, _, Error e -> Error e
