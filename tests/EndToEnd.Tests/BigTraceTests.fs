/// Traces larger than 2 GB read back: `validate`, `print --summary` and the C# facade's
/// `ReadTrace` stream both formats in bounded memory. The traces are generated, not
/// recorded (a recording that size takes minutes), by the recorder's own sinks.
module CodeTracer.EndToEnd.Tests.BigTraceTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Threading
open Expecto
open CodeTracer.Core.Policy
open CodeTracer.Core.Trace
open CodeTracer.Shell
open CodeTracer.Shell.TraceFiles

/// The events file grows past this: 2 GiB and a little, beyond any one array or int offset.
let private targetBytes = (2L <<< 30) + (64L <<< 20)

/// What one format needs on the temp disk while its trace exists, with room to spare.
let private neededBytes = targetBytes + (1L <<< 30)

/// The most resident memory a reader may take (the whole file would be > 2 GB).
let private maxPeakMiB = 300.0

/// Random text to cut values from: larger than a trace.bin frame (2 MiB), so that a frame's
/// strings do not repeat and zstd cannot shrink the file much (the file, not its content,
/// must pass 2 GB). Base64 letters: nothing to escape in JSON.
let private pool =
    let bytes = Array.zeroCreate<byte> (6 <<< 20)
    Random(12).NextBytes bytes
    Convert.ToBase64String bytes

let private path = "/big/Work.cs"

/// Every registration, then `<toplevel>` calling `Big.Work(int, string)` over and over:
/// a step at its definition, the call with two arguments, two steps with values, the return.
/// The second value is 8 to 16 KB of text, so that the file passes 2 GB in some 150,000
/// calls: this test is about the size of the file; the speed per event of a recorded
/// trace is the bench's `read` line.
let private write (sink: ITraceEventSink) (eventsFile: string) : int64 =
    for e in
        [ Path path
          Function(0, 1, "<toplevel>")
          Function(0, 10, "Big.Work(int, string)")
          Type(TypeKind.None, "None", NoInfo)
          Type(TypeKind.Int, "int", NoInfo)
          Type(TypeKind.String, "string", NoInfo)
          VariableName "round"
          VariableName "text"
          Call(0, []) ] do
        sink.Write e
    let mutable at = 0
    let text (length: int) =
        if at + length > pool.Length then at <- 0
        let s = pool.Substring(at, length)
        at <- at + length
        s
    let mutable calls = 0L
    let mutable written = 0L
    while written < targetBytes do
        for _ in 1..100 do
            let round = ValueRecord.Int(calls, 1)
            sink.Write(Step(0, 10))
            sink.Write(Call(1, [ 0, round; 1, ValueRecord.String(text 40, 2) ]))
            sink.Write(Step(0, 11))
            sink.Write(Value(0, round))
            sink.Write(Value(1, ValueRecord.String(text (8192 + int (calls % 8192L)), 2)))
            sink.Write(Step(0, 12))
            sink.Write(Return(round))
            calls <- calls + 1L
        written <- FileInfo(eventsFile).Length
    sink.Write(Return(NoneValue 0))
    sink.Finish()
    calls

/// A trace folder of `format` holding more than 2 GB of events; the number of Big.Work calls.
let private generate (folder: string) (format: TraceFormat) : int64 =
    let events = Path.Combine(folder, (if format.IsJson then TraceFolderReader.JsonFile else TraceFolderReader.BinaryFile))
    let calls =
        using (TraceEventSinks.Create(format, events)) (fun sink -> write sink events)
    File.WriteAllText(Path.Combine(folder, TraceFolderReader.PathsFile), sprintf "[\"%s\"]" path)
    File.WriteAllText(
        Path.Combine(folder, TraceFolderReader.MetadataFile),
        sprintf """{"program": "/big/Big.dll", "args": [], "workdir": "/big", "recording_id": "%s", "outcome": "complete"}""" (Guid.NewGuid().ToString())
    )
    calls

/// A process's CPU seconds so far (user and system), from /proc/PID/stat (in ticks of 1/100 s).
let private cpuSeconds (stat: string) : float =
    let fields = stat.Substring(stat.LastIndexOf ')' + 2).Split(' ')
    float (int64 fields.[11] + int64 fields.[12]) / 100.0

let private vmHwmMiB (status: string) : float =
    status.Split('\n')
    |> Array.tryFind (fun l -> l.StartsWith "VmHWM:")
    |> Option.map (fun l -> float (l.Substring(6).Trim().Split(' ').[0]) / 1024.0)
    |> Option.defaultValue 0.0

/// `codetracer <args>` with its peak resident memory (VmHWM, polled every 20 ms: a
/// high-water mark, so only the last 20 ms' growth can be missed), its wall time and its
/// CPU time (as last polled: a busy machine stretches the wall time, not the CPU time).
let private measured (args: string list) : Cli.Run * float * TimeSpan * float =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    Repo.cliDll :: args |> List.iter info.ArgumentList.Add
    let clock = Stopwatch.StartNew()
    use p = Process.Start info
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    let proc = sprintf "/proc/%d/" p.Id
    let mutable peak = 0.0
    let mutable cpu = 0.0
    while not (p.WaitForExit 20) do
        try
            peak <- max peak (vmHwmMiB (File.ReadAllText(proc + "status")))
            cpu <- cpuSeconds (File.ReadAllText(proc + "stat"))
        with :? IOException -> ()
    clock.Stop()
    { Cli.Run.ExitCode = p.ExitCode; Stdout = out.Result; Stderr = err.Result }, peak, clock.Elapsed, cpu

let private mbPerSecond (bytes: int64) (time: TimeSpan) = float bytes / 1e6 / time.TotalSeconds

/// Generates one format's trace, reads it three ways, and removes it.
let private readsBack (format: TraceFormat) (name: string) =
    let temp = Path.GetTempPath()
    let free = DriveInfo(temp).AvailableFreeSpace
    if free < neededBytes then
        skiptestf "%s: %d MB free in %s, the %s trace needs %d MB: skipped" name (free >>> 20) temp name (neededBytes >>> 20)
    let folder = Path.Combine(temp, "ct-big-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory folder |> ignore
    try
        let clock = Stopwatch.StartNew()
        let calls = generate folder format
        let size = (Directory.GetFiles folder |> Array.map (fun f -> FileInfo(f).Length) |> Array.max)
        printfn "big trace, %s: %d MB, %d calls, written in %.1f s" name (size / 1_000_000L) calls clock.Elapsed.TotalSeconds
        Expect.isGreaterThan size (2L <<< 30) "the events file is over 2 GiB"
        let events = 9L + 7L * calls + 1L
        let validated, validatePeak, validateTime, validateCpu = measured [ "validate"; folder ]
        Expect.equal validated.ExitCode 0 (validated.Stdout + validated.Stderr)
        Expect.equal
            (validated.Stdout.Trim())
            (sprintf "OK: %d events, %d steps, %d calls, %d functions" events (3L * calls) (calls + 1L) 2)
            "validate accepts it and counts every event"
        let printed, printPeak, printTime, printCpu = measured [ "print"; folder; "--summary" ]
        Expect.equal printed.ExitCode 0 printed.Stderr
        Expect.stringContains printed.Stdout (sprintf "%d  Big.Work(int, string)" calls) "print summarises it"
        let perCpu (bytes: int64) (cpu: float) = float bytes / 1e6 / cpu
        printfn
            "big trace, %s: validate (one pass) %.1f s, %.1f CPU-s: %.0f MB/s, %.0f MB per CPU-s, peak %.0f MiB; print --summary (two passes) %.1f s, %.1f CPU-s: %.0f MB/s, %.0f MB per CPU-s, peak %.0f MiB"
            name
            validateTime.TotalSeconds
            validateCpu
            (mbPerSecond size validateTime)
            (perCpu size validateCpu)
            validatePeak
            printTime.TotalSeconds
            printCpu
            (mbPerSecond (2L * size) printTime)
            (perCpu (2L * size) printCpu)
            printPeak
        Expect.isLessThan validatePeak maxPeakMiB "validate's peak memory"
        Expect.isLessThan printPeak maxPeakMiB "print's peak memory"
        // In this process: the high-water mark is reset first (Linux: clear_refs 5).
        GC.Collect()
        File.WriteAllText("/proc/self/clear_refs", "5")
        let before = vmHwmMiB (File.ReadAllText "/proc/self/status")
        let readClock = Stopwatch.StartNew()
        let summary = CodeTracerRecorder.ReadTrace folder
        // Never below zero: the mark can sit under `before` when pages were returned meanwhile.
        let readPeak = max 0.0 (vmHwmMiB (File.ReadAllText "/proc/self/status") - before)
        printfn "big trace, %s: ReadTrace (two passes) %.1f s: %.0f MB/s, peak growth %.0f MiB" name readClock.Elapsed.TotalSeconds (mbPerSecond (2L * size) readClock.Elapsed) readPeak
        Expect.equal (int64 summary.Events) events "ReadTrace counts every event"
        Expect.equal (int64 (summary.CallsOf "Big.Work")) calls "and every call"
        Expect.isLessThan readPeak maxPeakMiB "ReadTrace's peak memory"
    finally
        Directory.Delete(folder, true)

let tests =
    testSequenced
    <| testList "BigTraces" [
        test "a trace.json over 2 GiB is validated, printed and read in bounded memory" { readsBack TraceFormat.Json "trace.json" }
        test "a trace.bin over 2 GiB is validated, printed and read in bounded memory" { readsBack TraceFormat.Binary "trace.bin" }
    ]
