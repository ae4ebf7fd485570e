/// Always stoppable: SIGINT or SIGTERM to the recorder, in any phase (preparing, the program's
/// run, the conversion), ends it within seconds with 130 / 143; the trace the stop cut short is
/// published, partial and valid, only with --keep-partial-trace, else an older trace stays as it
/// was; no staging, port or scratch folder and no program process is left behind.
module CodeTracer.EndToEnd.Tests.StopTests

open System.Diagnostics
open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// A recording with a temporary folder of its own (TMPDIR: staging and port folders) and an
/// output folder alone in its parent (the scratch folder goes beside it).
type private Setup = { Tmp: string; Out: string }

let private setup () = { Tmp = Repo.tempFolder (); Out = Path.Combine(Repo.tempFolder (), "trace") }

let private recorderInfo (s: Setup) (env: (string * string) list) (args: string list) =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    for a in Repo.cliDll :: "record" :: "-o" :: s.Out :: args do
        info.ArgumentList.Add a
    info.Environment.["TMPDIR"] <- s.Tmp
    for k, v in env do
        info.Environment.[k] <- v
    info.WorkingDirectory <- Repo.root
    info

/// Reads the recorder's stderr until a line holding `marker`; the lines before it.
let private waitFor (p: Process) (marker: string) =
    let rec go acc =
        match p.StandardError.ReadLine() with
        | null -> failtestf "the recorder ended before saying %s (exit %d): %s" marker p.ExitCode (String.concat "\n" (List.rev acc))
        | line when line.Contains marker -> List.rev acc
        | line -> go (line :: acc)
    go []

/// Starts a recording paused by the test hook at `point`; returns the recorder once it says it is paused.
let private startPausedAt (s: Setup) (point: string) (target: string list) =
    let env = [ "CODETRACER_TEST_HOOKS", "1"; "CODETRACER_TEST_PAUSE_AT", point ]
    let p = Process.Start(recorderInfo s env target)
    waitFor p ("paused at " + point) |> ignore
    p

/// Starts a recording of Faults' "wait" mode (a minute of ticks); returns the recorder and the
/// program's pid once the program runs.
let private startWaiting (s: Setup) (options: string list) =
    let p = Process.Start(recorderInfo s [] (options @ [ Repo.program "Faults"; "--"; "wait" ]))
    let rec pid () =
        match p.StandardOutput.ReadLine() with
        | null -> failtestf "the program ended before printing its pid (exit %d)" p.ExitCode
        | line when line.StartsWith "pid " -> int (line.Substring 4)
        | _ -> pid ()
    p, pid ()

/// Signals the recorder and waits for it; its exit code, stderr and how long it took to end.
let private stop (recorder: Process) (signal: string) =
    let clock = Stopwatch.StartNew()
    Cli.signal signal (string recorder.Id)
    let stderr = recorder.StandardError.ReadToEndAsync()
    let ended = recorder.WaitForExit 20_000
    if not ended then recorder.Kill true
    Expect.isTrue ended "the recorder ended"
    recorder.WaitForExit()
    recorder.ExitCode, stderr.Result, clock.Elapsed.TotalSeconds

let private recordingId (folder: string) =
    JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))).RootElement.GetProperty("recording_id").GetString()

/// A finished trace already in the output folder: its recording id.
let private plantOldTrace (s: Setup) =
    let run = Cli.runWithEnv [ "TMPDIR", s.Tmp ] "dotnet" [ Repo.cliDll; "record"; "-o"; s.Out; Repo.program "ExitCode" ] ""
    Expect.equal run.ExitCode 0 run.Stderr
    recordingId s.Out

/// Nothing of the recording is left: no staging or port folder, no scratch folder beside the
/// output. (A .NET program that a signal ends leaves its runtime's debugger pipes and diagnostic
/// socket in TMPDIR, recorded or not: those are not the recorder's.)
let private nothingLeft (s: Setup) =
    let recorders = Directory.GetFileSystemEntries s.Tmp |> Array.map Path.GetFileName |> Array.filter (fun n -> n.StartsWith "ct-")
    Expect.isEmpty recorders "no staging or port folder left"
    let beside = Directory.GetFileSystemEntries(Path.GetDirectoryName s.Out) |> Array.map Path.GetFileName
    Expect.isTrue (beside |> Array.forall ((=) "trace")) (sprintf "no scratch folder beside the output: %A" beside)

let private signals = [ "INT", 130; "TERM", 143 ]

let private beforeRun =
    testList "before the run" [
        for point in [ "bootstrap"; "staging"; "instrumentation" ] do
            for signal, code in signals do
                test $"SIG{signal} during {point}: exit {code} within seconds, nothing left behind" {
                    let s = setup ()
                    let recorder = startPausedAt s point [ Repo.program "ExitCode" ]
                    let exit, stderr, seconds = stop recorder signal
                    Expect.isLessThan seconds 5.0 "within seconds"
                    Expect.equal exit code stderr
                    Expect.stringContains stderr $"stopped by SIG{signal} before the program ran" "says so"
                    Expect.equal (recorder.StandardOutput.ReadToEnd()) "" "the program never ran"
                    nothingLeft s
                    Expect.isFalse (Directory.Exists s.Out) "no output folder"
                }
    ]

let private duringRun =
    testList "during the program's run" [
        for signal, code in signals do
            test $"SIG{signal} without --keep-partial-trace: the program stopped, exit {code}, no trace published, the old one untouched" {
                let s = setup ()
                let old = plantOldTrace s
                let recorder, pid = startWaiting s []
                let exit, stderr, seconds = stop recorder signal
                Expect.equal exit code stderr
                Expect.isLessThan seconds 5.0 "within seconds (a second of grace for the program)"
                Expect.stringContains stderr $"stopped by SIG{signal} while the program ran: the program was stopped; no trace was published" "says which"
                Expect.equal (recordingId s.Out) old "the old trace is untouched"
                Expect.isFalse (Directory.Exists $"/proc/{pid}") "no program process left"
                nothingLeft s
            }
            test $"SIG{signal} with --keep-partial-trace: exit {code}, a valid partial trace that says it was interrupted" {
                let s = setup ()
                let recorder, pid = startWaiting s [ "--keep-partial-trace" ]
                let exit, stderr, seconds = stop recorder signal
                Expect.equal exit code stderr
                Expect.isLessThan seconds 5.0 "within seconds"
                Expect.stringContains stderr $"stopped by SIG{signal} while the program ran: the program was stopped; the partial trace is in {s.Out}" "says which"
                let valid, output = Cli.validate s.Out [ "--partial" ]
                Expect.equal valid 0 output
                Expect.equal ((TraceView.metadata s.Out).GetProperty("outcome").GetString()) "partial" "outcome"
                Expect.equal (TraceView.note s.Out "termination") $"interrupted by the user (SIG{signal} to the recorder)" "metadata"
                Expect.isFalse (Directory.Exists $"/proc/{pid}") "no program process left"
                nothingLeft s
            }
    ]

/// Workloads' loop writes megabytes of raw log: many chunks to convert. The hook converts once
/// the program has ended and pauses after the first chunk.
let private longConversion = [ Repo.program "Workloads"; "--"; "loop"; "1" ]

let private duringConversion =
    testList "during the conversion" [
        for signal, code in signals do
            test $"SIG{signal} without --keep-partial-trace: exit {code}, no trace published, the old one untouched" {
                let s = setup ()
                let old = plantOldTrace s
                let recorder = startPausedAt s "conversion" longConversion
                let exit, stderr, seconds = stop recorder signal
                Expect.equal exit code stderr
                Expect.isLessThan seconds 5.0 "within seconds"
                Expect.stringContains stderr $"stopped by SIG{signal} during conversion: no trace was published" "says which"
                Expect.equal (recordingId s.Out) old "the old trace is untouched"
                nothingLeft s
            }
            test $"SIG{signal} with --keep-partial-trace: exit {code}, what was converted published as a valid partial trace" {
                let s = setup ()
                let recorder = startPausedAt s "conversion" ("--keep-partial-trace" :: longConversion)
                let exit, stderr, seconds = stop recorder signal
                Expect.equal exit code stderr
                Expect.isLessThan seconds 5.0 "within seconds"
                Expect.stringContains stderr $"stopped by SIG{signal} during conversion: the trace converted so far is in {s.Out}, partial" "says which"
                let valid, output = Cli.validate s.Out [ "--partial" ]
                Expect.equal valid 0 output
                Expect.equal ((TraceView.metadata s.Out).GetProperty("outcome").GetString()) "partial" "outcome"
                Expect.stringContains (TraceView.note s.Out "conversion") $"stopped by the user (SIG{signal} to the recorder)" "metadata"
                Expect.equal (TraceView.note s.Out "exit_handlers") "" "no guess about the program's end: it ran to it"
                let steps = (TraceView.metadata s.Out).GetProperty("counters").GetProperty("steps").GetInt64()
                Expect.isGreaterThan steps 0L "the first chunk's steps"
                Expect.isLessThan steps 100_000L "only the first chunk's: the loop makes ~300 000"
                nothingLeft s
            }
    ]

let tests = testList "Stopping" [ beforeRun; duringRun; duringConversion ]
