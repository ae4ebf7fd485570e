/// Reading traces back: `codetracer validate` and `print --summary` on a recording of the
/// `collections` workload in each format, timed and watched for memory. Both stream the
/// events file (validate reads it twice: the rules, then the counts of its OK line).
module CodeTracer.Bench.ReadBench

open System.Diagnostics
open System.IO
open CodeTracer.Bench.Measure

let private workload = "collections"

let private size = 4

/// Times one read command on the trace: (seconds, peak MiB), or the failure.
let private timed (paths: Paths) (args: string list) : Result<float * float, string> =
    let clock = Stopwatch.StartNew()
    let run = ChildProcess.dotnet (paths.Cli :: args) []
    if run.ExitCode <> 0 then Error(sprintf "codetracer %s exited with %d: %s" (String.concat " " args) run.ExitCode (run.Stderr.Trim()))
    else Ok(clock.Elapsed.TotalSeconds, run.Peaks.Self)

/// Records the workload in `format`, reads it back, prints one line, deletes the trace.
let private readOnce (paths: Paths) (scratch: string) (format: string) =
    let folder = Path.Combine(scratch, sprintf "read-%s" format)
    try
        let result =
            Measure.record paths workload size folder (Some format)
            |> Result.bind (fun recorded ->
                let trace = Path.Combine(folder, "trace")
                timed paths [ "validate"; trace ]
                |> Result.bind (fun validate ->
                    timed paths [ "print"; trace; "--summary" ] |> Result.map (fun print -> recorded, validate, print)))
        match result with
        | Ok(r, (validateS, validateMb), (printS, printMb)) ->
            let mb = float r.TraceBytes / 1e6
            let rate passes seconds = float passes * mb / seconds, float passes * float r.Events / 1e6 / seconds
            let vMb, vEv = rate 2 validateS
            let pMb, pEv = rate 2 printS
            printfn
                "read %-10s %s %4dx: %7.1f MB, %5.1f M events; validate %6.1f s (%6.1f MB/s %5.2f M ev/s, %4.0f MiB); print --summary %6.1f s (%6.1f MB/s %5.2f M ev/s, %4.0f MiB)"
                r.TraceFile workload size mb (float r.Events / 1e6) validateS vMb vEv validateMb printS pMb pEv printMb
        | Error e -> printfn "read %s failed: %s" format e
    finally
        if Directory.Exists folder then Directory.Delete(folder, true)

/// One line per format: the file's size and events, and each command's time, read rate
/// (file bytes and events per second over both passes, process start included) and peak memory.
let run (paths: Paths) (scratch: string) =
    for format in [ "binary"; "json" ] do
        readOnce paths scratch format
