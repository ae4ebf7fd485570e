/// The recorder's benchmark: CPU-bound workloads run plain and recorded at growing lengths, then the trace-filter figures.
/// Arguments: the repository root (default: the current folder), and `quick` for the 1x length only
/// or `read` for the reading figures only.
module CodeTracer.Bench.Program

open System
open System.Diagnostics
open System.IO
open CodeTracer.Bench.Measure
open CodeTracer.Bench.Report

let private workloads = [ "loop"; "fib"; "sieve"; "strings"; "collections"; "objects" ]

let private bytesPerStep (r: Recording) = float r.TraceBytes / float r.Steps

/// Records into `folder` and deletes the trace at once: a long JSON trace takes gigabytes.
let private recordOnce paths workload size (folder: string) format =
    try Measure.record paths workload size folder format
    finally if Directory.Exists folder then Directory.Delete(folder, true)

/// Plain runs, the recording in the default format, and trace.json's size: from that
/// recording when JSON is the default, else from a second one at 1x only (bytes per
/// step hardly depend on the length, and JSON is the slow format).
let private measure (paths: Paths) (scratch: string) (workload: string) (size: int) : Result<Row, string> =
    let folder (format: string) = Path.Combine(scratch, sprintf "%s-%dx-%s" workload size format)
    Measure.plain paths workload size
    |> Result.bind (fun plain ->
        recordOnce paths workload size (folder "default") None
        |> Result.bind (fun recorded ->
            let json =
                if recorded.TraceFile = "trace.json" then Ok(Some(bytesPerStep recorded))
                elif size = 1 then
                    recordOnce paths workload size (folder "json") (Some "json")
                    |> Result.map (fun r -> if r.TraceFile = "trace.json" then Some(bytesPerStep r) else None)
                else Ok None
            json |> Result.map (fun j -> { Workload = workload; Size = size; Plain = plain; Recorded = recorded; JsonPerStep = j })))

/// The workloads' rows, their summary, the filter figures and the reading figures; 0 when every row was measured.
let private everything (paths: Paths) (scratch: string) (lengths: int list) : int =
    legend lengths
    let rows =
        [ for workload in workloads do
              for size in lengths do
                  match measure paths scratch workload size with
                  | Ok r ->
                      row r
                      yield r
                  | Error e -> printfn "%-12s %3dx failed: %s" workload size e ]
    if not rows.IsEmpty then summary rows
    printfn ""
    FilterBench.run ()
    printfn ""
    ReadBench.run paths scratch
    printfn ""
    if rows.Length = workloads.Length * lengths.Length then 0 else 1

[<EntryPoint>]
let main argv =
    let root = argv |> Array.tryFind (fun a -> a <> "quick" && a <> "read") |> Option.defaultValue (Directory.GetCurrentDirectory())
    let lengths = if Array.contains "quick" argv then [ 1 ] else [ 1; 4; 16 ]
    let release (project: string) (dll: string) = Path.Combine(root, project, "bin", "Release", "net10.0", dll)
    let paths = { Workloads = release "tests/programs/Workloads" "Workloads.dll"; Cli = release "src/Cli" "codetracer.dll" }
    let scratch = Path.Combine(Path.GetTempPath(), "ct-bench")
    let clock = Stopwatch.StartNew()
    let code =
        if Array.contains "read" argv then
            ReadBench.run paths scratch
            0
        else everything paths scratch lengths
    printfn "bench took %.0f s" clock.Elapsed.TotalSeconds
    code
