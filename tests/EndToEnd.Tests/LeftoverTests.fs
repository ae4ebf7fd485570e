/// A recorder that dies (kill -9) must leave neither a program writing a raw log nobody reads
/// nor folders that stay forever: the program notices, stops recording and removes its log;
/// the next run removes the folders of recorders that no longer run, and only those.
module CodeTracer.EndToEnd.Tests.LeftoverTests

open System
open System.Diagnostics
open System.IO
open System.Threading
open Expecto

/// Waits (polling) until `condition` holds, or fails saying `what` after `seconds`.
let private within (seconds: float) (what: string) (condition: unit -> bool) =
    let clock = Stopwatch.StartNew()
    while not (condition ()) do
        if clock.Elapsed.TotalSeconds > seconds then failtestf "%s: not after %.0f s" what seconds
        Thread.Sleep 50

/// Whether a process with this id runs (a zombie does not).
let private running (pid: int) =
    let stat = sprintf "/proc/%d/stat" pid
    try
        let text = File.ReadAllText stat
        let state = text.[text.LastIndexOf(')') + 2]
        state <> 'Z' && state <> 'X'
    with :? IOException -> false

/// An owner file as the recorder writes one, naming processes (pid, start ticks).
let private ownerFile (folder: string) (processes: (int * int64) list) =
    Directory.CreateDirectory folder |> ignore
    let lines = "recorder codetracer-dotnet" :: [ for pid, start in processes -> sprintf "process %d %d" pid start ]
    File.WriteAllText(Path.Combine(folder, ".codetracer-owner"), String.Join("\n", lines) + "\n")

let tests =
    testList "Leftovers" [
        test "kill -9 of the recorder: the program stops recording, removes its raw log and runs on; the next run sweeps what the recorder left" {
            // The recorder's temporary folder is this test's own, so its staging copy can be watched.
            let temp = Repo.tempFolder ()
            let work = Repo.tempFolder ()
            let stop, fin, out = Path.Combine(work, "stop"), Path.Combine(work, "done"), Path.Combine(work, "trace")
            let recorder, pid = Cli.startRecordingWithEnv [ "TMPDIR", temp ] [ "-o"; out; Repo.program "Orphan"; "--"; stop; fin ]
            let pid = int pid
            let stage = Directory.GetDirectories(temp, "ct-stage-*") |> Array.exactlyOne
            let rawLog = Path.Combine(stage, "raw.log")
            within 30.0 "the program records" (fun () -> File.Exists rawLog && FileInfo(rawLog).Length > 4096L)
            recorder.Kill()
            recorder.WaitForExit()
            within 10.0 "the raw log is removed once the recorder is gone" (fun () -> not (File.Exists rawLog))
            Expect.isTrue (running pid) "the program runs on, unrecorded"
            File.WriteAllText(stop, "")
            within 60.0 "the program runs to its end" (fun () -> File.Exists fin)
            within 30.0 "the program exits" (fun () -> not (running pid))
            Expect.isTrue (Directory.Exists stage) "the dead recorder's staging copy is still there"
            let scratch = Directory.GetDirectories(work, ".trace.partial-*") |> Array.exactlyOne

            // Folders the next run must keep: one of another tool (no owner file), one whose
            // process still runs (this test's), one whose owner file is not the recorder's.
            let foreign = Path.Combine(temp, "ct-stage-foreign")
            Directory.CreateDirectory foreign |> ignore
            File.WriteAllText(Path.Combine(foreign, "data.txt"), "not ours")
            let live = Path.Combine(temp, "ct-stage-live")
            use self = Process.GetCurrentProcess()
            ownerFile live [ Environment.ProcessId, self.StartTime.ToUniversalTime().Ticks ]
            let garbled = Path.Combine(work, ".trace.partial-garbled")
            Directory.CreateDirectory garbled |> ignore
            File.WriteAllText(Path.Combine(garbled, ".codetracer-owner"), "recorder codetracer-dotnet\nprocess x\n")

            let next = Cli.runWithEnv [ "TMPDIR", temp ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; Repo.program "ExitCode" ] ""
            Expect.equal next.ExitCode 0 next.Stderr
            Expect.isFalse (Directory.Exists stage) "the staging copy of the dead recorder is removed"
            Expect.isFalse (Directory.Exists scratch) "its scratch folder is removed"
            Expect.isTrue (File.Exists(Path.Combine(foreign, "data.txt"))) "a folder without an owner file stays"
            Expect.isTrue (Directory.Exists live) "a folder of a running process stays"
            Expect.isTrue (Directory.Exists garbled) "a folder whose owner file is not readable stays"
            Expect.isEmpty (Directory.GetDirectories(temp, "ct-stage-*") |> Array.filter (fun d -> d <> foreign && d <> live)) "the run cleaned up after itself"
            Expect.isFalse (File.Exists(Path.Combine(out, ".codetracer-owner"))) "the published trace has no owner file"
        }
    ]
