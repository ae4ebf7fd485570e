/// Prints the workload figures, how they grow with the length, and the issue's targets.
module CodeTracer.Bench.Report

open System
open CodeTracer.Bench.Measure

type Row =
    { Workload: string
      Size: int
      Plain: Plain
      Recorded: Recording
      /// trace.json bytes per step: the default recording's when it wrote JSON, else a second recording's (1x only).
      JsonPerStep: float option }

let private perStep (bytes: int64) (r: Row) = float bytes / float r.Recorded.Steps

/// Each figure with its column width and format; the table and the growth summary share them.
let private figures : (string * int * (Row -> float) * (float -> string)) list =
    let f (fmt: Printf.StringFormat<float -> string>) = sprintf fmt
    [ "plain-ms", 9, (fun r -> r.Plain.WorkMs), f "%.2f"
      "rec-ms", 9, (fun r -> r.Recorded.WorkMs), f "%.1f"
      "rec/plain", 9, (fun r -> r.Recorded.WorkMs / r.Plain.WorkMs), f "%.1fx"
      "steps", 10, (fun r -> float r.Recorded.Steps), f "%.0f"
      "raw-B/st", 8, (fun r -> perStep r.Recorded.RawLogBytes r), f "%.1f"
      "trace-B/st", 10, (fun r -> perStep r.Recorded.TraceBytes r), f "%.1f"
      "json-B/st", 9, (fun r -> r.JsonPerStep |> Option.defaultValue nan), (fun v -> if Double.IsNaN v then "-" else sprintf "%.1f" v)
      "conv-Mev/s", 10, (fun r -> float r.Recorded.Events / r.Recorded.ConvertMs / 1000.0), f "%.2f"
      "ready-s", 7, (fun r -> r.Recorded.ReadyMs / 1000.0), f "%.2f"
      "rec-MiB", 7, (fun r -> r.Recorded.RecorderMb), f "%.0f"
      "prog-MiB", 8, (fun r -> r.Recorded.ProgramMb), f "%.0f"
      "plain-MiB", 9, (fun r -> r.Plain.PeakMb), f "%.0f" ]

let private cells (values: string list) =
    List.map2 (fun (_, width, _, _) (v: string) -> v.PadLeft width) figures values |> String.concat " "

let legend (lengths: int list) =
    printfn "Workloads (tests/programs/Workloads), each run plain (fastest of 3) then recorded by the CLI, at %s:"
        (lengths |> List.map (sprintf "%dx") |> String.concat ", ")
    printfn "  plain-ms, rec-ms  the work's own time (Stopwatch inside the program), plain and recorded"
    printfn "  rec/plain         rec-ms / plain-ms"
    printfn "  steps             step events in the trace"
    printfn "  raw-B/st          raw log bytes per step"
    printfn "  trace-B/st        bytes per step of the trace file the default format writes (named in the row)"
    printfn "  json-B/st         bytes per step of trace.json (a second recording with CODETRACER_FORMAT=json, 1x only,"
    printfn "                    unless the default format is JSON)"
    printfn "  conv-Mev/s        trace events / time from the program's exit to the end of conversion"
    printfn "  ready-s           time from the program's exit to the published trace"
    printfn "  rec-MiB           the recorder's peak resident memory (the codetracer process of this recording)"
    printfn "  prog-MiB          the recorded program's peak resident memory; plain-MiB the same program unrecorded"
    printfn ""
    printfn "%-12s %4s %s  file" "workload" "len" (cells (figures |> List.map (fun (name, _, _, _) -> name)))

let row (r: Row) =
    let checksum = if r.Plain.Checksum = r.Recorded.Checksum then "" else "  CHECKSUM DIFFERS: the recorded run computed something else"
    printfn "%-12s %3dx %s  %s%s" r.Workload r.Size (cells (figures |> List.map (fun (_, _, get, show) -> show (get r)))) r.Recorded.TraceFile checksum

let private geomean (xs: float list) = xs |> List.averageBy log |> exp

/// One target line: what, the measured value, the goal, met or missed.
let private target (what: string) (value: string) (goal: string) (met: bool) =
    printfn "  %-58s %12s   %-18s %s" what value goal (if met then "met" else "MISSED")

/// Growth from the first to the last length, then the issue's targets.
let summary (rows: Row list) =
    let lengths = rows |> List.map (fun r -> r.Size) |> List.distinct
    let first, last = List.head lengths, List.last lengths
    let at size = rows |> List.filter (fun r -> r.Size = size)
    let ratio (r: Row) = r.Recorded.WorkMs / r.Plain.WorkMs
    let rate (r: Row) = float r.Recorded.Events / r.Recorded.ConvertMs / 1000.0
    printfn ""
    if lengths.Length > 1 then
        printfn "Growth %dx -> %dx (each figure at %dx / at %dx; the length grew %dx: steps and times should grow ~%d, per-step figures and peaks ~1):"
            first last last first (last / first) (last / first)
        printfn "%-12s      %s" "workload" (cells (figures |> List.map (fun (name, _, _, _) -> name)))
        for small in at first do
            match at last |> List.tryFind (fun r -> r.Workload = small.Workload) with
            | Some large ->
                let growth = figures |> List.map (fun (_, _, get, _) -> let g = get large / get small in if Double.IsNaN g then "-" else sprintf "%.2f" g)
                printfn "%-12s      %s" small.Workload (cells growth)
            | None -> ()
        // The slope between the lengths leaves out what a recording costs once (start-up, first buffers).
        let marginal =
            [ for small in at first do
                  match at last |> List.tryFind (fun r -> r.Workload = small.Workload) with
                  | Some large when large.Plain.WorkMs > small.Plain.WorkMs && large.Recorded.WorkMs > small.Recorded.WorkMs ->
                      yield small.Workload, (large.Recorded.WorkMs - small.Recorded.WorkMs) / (large.Plain.WorkMs - small.Plain.WorkMs)
                  | _ -> () ]
        if not marginal.IsEmpty then
            printfn "Marginal rec/plain, (rec-ms %dx - %dx) / (plain-ms %dx - %dx): %s; geometric mean %.1fx"
                last first last first
                (marginal |> List.map (fun (w, m) -> sprintf "%s %.1fx" w m) |> String.concat ", ")
                (geomean (marginal |> List.map snd))
        printfn ""
    printfn "Targets (figures of the default format):"
    // At every length: at 1x a recording's fixed start-up costs weigh most.
    for size in lengths do
        let mean = geomean (at size |> List.map ratio)
        target (sprintf "geometric mean of rec/plain at %dx" size) (sprintf "%.1fx" mean) "<= 8x" (mean <= 8.0)
    let worst = rows |> List.maxBy ratio
    target (sprintf "highest rec/plain (%s %dx)" worst.Workload worst.Size) (sprintf "%.1fx" (ratio worst)) "<= 20x" (ratio worst <= 20.0)
    match rows |> List.filter (fun r -> r.Workload = "loop") with
    | [] -> ()
    | loops ->
        let file = loops.Head.Recorded.TraceFile
        let bytes = loops |> List.map (fun r -> perStep r.Recorded.TraceBytes r) |> List.max
        target (sprintf "%s bytes/step on loop (largest of the lengths)" file) (sprintf "%.1f" bytes) "<= 4 in trace.bin" (file = "trace.bin" && bytes <= 4.0)
    let slowest = rows |> List.minBy rate
    target (sprintf "slowest conversion (%s %dx)" slowest.Workload slowest.Size) (sprintf "%.2f M ev/s" (rate slowest)) ">= 20 M events/s" (rate slowest >= 20.0)
    // Scaled from the longest recordings, whose fixed costs weigh least.
    let perTenMillion (r: Row) = r.Recorded.ReadyMs / 1000.0 * 1e7 / float r.Recorded.Steps
    let late = at last |> List.maxBy perTenMillion
    target
        (sprintf "trace ready after exit, per 10 M steps (%s %dx)" late.Workload late.Size)
        (sprintf "%.2f s" (perTenMillion late)) "<= 1 s" (perTenMillion late <= 1.0)
    let biggest = rows |> List.maxBy (fun r -> r.Recorded.RecorderMb)
    target (sprintf "recorder peak memory (%s %dx)" biggest.Workload biggest.Size) (sprintf "%.0f MiB" biggest.Recorded.RecorderMb) "<= 512 MiB" (biggest.Recorded.RecorderMb <= 512.0)
