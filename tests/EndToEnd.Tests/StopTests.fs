/// Always stoppable outside the program's run: SIGINT or SIGTERM while the recorder
/// prepares (bootstrap, staging, instrumentation) ends it within seconds with 130 / 143,
/// and nothing of the recording is left behind.
module CodeTracer.EndToEnd.Tests.StopTests

open System.Diagnostics
open System.IO
open Expecto

/// Starts a recording paused by the test hook at `point`, with a temporary folder of its
/// own; returns the recorder once it says it is paused, its TMPDIR and output folder.
let private startPausedAt (point: string) =
    let tmp = Repo.tempFolder ()
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    for a in [ Repo.cliDll; "record"; "-o"; out; Repo.program "ExitCode" ] do
        info.ArgumentList.Add a
    info.Environment.["TMPDIR"] <- tmp
    info.Environment.["CODETRACER_TEST_HOOKS"] <- "1"
    info.Environment.["CODETRACER_TEST_PAUSE_AT"] <- point
    info.WorkingDirectory <- Repo.root
    let p = Process.Start info
    let rec paused () =
        match p.StandardError.ReadLine() with
        | null -> failtestf "the recorder ended before pausing at %s (exit %d)" point p.ExitCode
        | line when line.Contains("paused at " + point) -> ()
        | _ -> paused ()
    paused ()
    p, tmp, out

let tests =
    testList "Stopping outside the run" [
        for point in [ "bootstrap"; "staging"; "instrumentation" ] do
            for signal, code in [ "INT", 130; "TERM", 143 ] do
                test $"SIG{signal} during {point}: exit {code} within seconds, nothing left behind" {
                    let recorder, tmp, out = startPausedAt point
                    let clock = Stopwatch.StartNew()
                    Cli.signal signal (string recorder.Id)
                    let ended = recorder.WaitForExit 10_000
                    if not ended then recorder.Kill true
                    Expect.isTrue ended "the recorder ended"
                    Expect.isLessThan clock.Elapsed.TotalSeconds 5.0 "within seconds"
                    let stderr = recorder.StandardError.ReadToEnd()
                    Expect.equal recorder.ExitCode code stderr
                    Expect.stringContains stderr $"stopped by SIG{signal} before the program ran" "says so"
                    Expect.equal (recorder.StandardOutput.ReadToEnd()) "" "the program never ran"
                    Expect.isEmpty (Directory.GetFileSystemEntries tmp) "no staging or port folder left"
                    Expect.isEmpty (Directory.GetFileSystemEntries(Path.GetDirectoryName out)) "no output or scratch folder"
                }
    ]
