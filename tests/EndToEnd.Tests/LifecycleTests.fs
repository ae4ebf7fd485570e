/// A recording's life when things go wrong: recorder failures under abort and
/// disable (by test-only failure injection), the program's own faults, signals,
/// and what the user is told (exit code, stderr, trailer, metadata).
module CodeTracer.EndToEnd.Tests.LifecycleTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private outcome folder = (TraceView.metadata folder).GetProperty("outcome").GetString()

let private validates folder partial =
    let code, output = Cli.validate folder (if partial then [ "--partial" ] else [])
    Expect.equal code 0 output

/// Records Recursion with a failure injected at `point` under `policy`.
let private injected (point: string) (policy: string) (extra: string list) =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let env = [ "CODETRACER_TEST_HOOKS", "1"; "CODETRACER_TEST_FAIL_AT", point ]
    let run = Cli.runWithEnv env "dotnet" ([ Repo.cliDll; "record"; "-o"; out; "--on-recorder-error"; policy ] @ extra @ [ Repo.program "Recursion" ]) ""
    run, out

let private runtimePoints = [ "enter:3", "method entry"; "step:10", "step"; "return:2", "return"; "value:4", "value capture"; "flush:1", "runtime flush" ]

let private trailerOf (stderr: string) =
    stderr.Split('\n') |> Array.find (fun l -> l.StartsWith "{\"run_id\"") |> JsonDocument.Parse |> fun d -> d.RootElement

let injection =
    testList "Failure injection" [
        for point, name in runtimePoints do
            test $"{name} under abort: exit 1, the error said, no trace left" {
                let run, out = injected point "abort" [ "--json-errors" ]
                Expect.equal run.ExitCode 1 run.Stderr
                Expect.stringContains run.Stderr "ERR_RECORDER_DETACHED" "code"
                Expect.stringContains run.Stderr ("injected failure at " + name) "reason"
                Expect.equal run.Stdout "120 8\n" "the program itself ran to its end"
                let trailer = trailerOf run.Stderr
                Expect.equal (trailer.GetProperty("error_code").GetString()) "ERR_RECORDER_DETACHED" "trailer code"
                Expect.equal (trailer.GetProperty("error_kind").GetString()) "internal" "trailer kind"
                Expect.isNonEmpty (trailer.GetProperty("trace_id").GetString()) "trailer trace id"
                Expect.isFalse (Directory.Exists out) "no trace presented as complete"
            }
            test $"{name} under disable: the program finishes, the trace is kept and valid, <toplevel> returns <disabled>" {
                let run, out = injected point "disable" []
                Expect.equal run.ExitCode 0 run.Stderr
                Expect.equal run.Stdout "120 8\n" "the program's output is undisturbed"
                Expect.stringContains run.Stderr "warning" "the failure is reported"
                validates out false
                Expect.equal (outcome out) "disabled" "outcome"
                let t = load out
                Expect.equal (t.Calls |> List.head |> fun c -> c.Returned) (Some "<disabled>") "<toplevel>"
                Expect.stringContains (TraceView.note out "recorder_error") name "metadata says why"
            }
        test "a failure under abort with --keep-partial-trace keeps the trace, marked failed" {
            let run, out = injected "step:10" "abort" [ "--keep-partial-trace" ]
            Expect.equal run.ExitCode 1 run.Stderr
            validates out false
            Expect.equal (outcome out) "failed" "outcome"
        }
        test "conversion under abort fails the run; under disable keeps a minimal valid trace" {
            let run, out = injected "conversion" "abort" []
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.stringContains run.Stderr "ERR_TRACE_INCOMPLETE" "code"
            Expect.isFalse (Directory.Exists out) "nothing published"
            let run2, out2 = injected "conversion" "disable" []
            Expect.equal run2.ExitCode 0 run2.Stderr
            validates out2 false
            Expect.equal (outcome out2) "disabled" "outcome"
        }
        test "finalisation failing fails the run under either policy, and publishes nothing" {
            for policy in [ "abort"; "disable" ] do
                let run, out = injected "finalisation" policy [ "--json-errors" ]
                Expect.equal run.ExitCode 1 run.Stderr
                Expect.equal ((trailerOf run.Stderr).GetProperty("error_code").GetString()) "ERR_FINALISATION_FAILED" policy
                Expect.isFalse (Directory.Exists out) policy
                Expect.isEmpty (Directory.GetFileSystemEntries(Path.GetDirectoryName out)) "no scratch folder left behind"
        }
        test "without CODETRACER_TEST_HOOKS the failure variable is ignored" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.runWithEnv [ "CODETRACER_TEST_FAIL_AT", "step" ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; Repo.program "Recursion" ] ""
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.equal (outcome out) "complete" "outcome"
        }
    ]

let private recordFaults mode =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    Cli.codetracer [ "record"; "-o"; out; Repo.program "Faults"; "--"; mode ], out

let faults =
    testList "Program faults" [
        test "Environment.Exit inside nested calls: complete, the exit code, each open call returns <exit 5>" {
            let run, out = recordFaults "exit"
            Expect.equal run.ExitCode 0 run.Stderr
            validates out false
            Expect.equal (outcome out) "complete" "nothing was lost"
            Expect.equal ((TraceView.metadata out).GetProperty("exit_code").GetInt32()) 5 "exit code"
            let nested = load out |> callsOf "Faults.Program.Nested(string, int)"
            Expect.equal (nested |> List.map (fun c -> c.Returned)) [ Some "<exit 5>"; Some "<exit 5>"; Some "<exit 5>" ] "the three calls end with the exit"
        }
        test "an unhandled exception: an Error event with its type and message, partial" {
            let run, out = recordFaults "throw"
            Expect.equal run.ExitCode 0 run.Stderr
            validates out true
            let t = load out
            let error = t.Io |> List.find (fun e -> e.Kind = 11)
            Expect.equal error.Content "Unhandled exception: System.InvalidOperationException: broken on purpose" "the error event"
            Expect.equal (TraceView.note out "program_fault") "unhandled exception System.InvalidOperationException: broken on purpose" "metadata"
            Expect.equal (outcome out) "partial" "outcome"
        }
        test "Environment.FailFast: every event written before it is kept, partial, the signal in the metadata" {
            let run, out = recordFaults "failfast"
            Expect.equal run.ExitCode 0 run.Stderr
            validates out true
            Expect.equal (outcome out) "partial" "no exit handlers ran"
            Expect.equal (TraceView.note out "termination") "killed by signal 6" "SIGABRT"
            Expect.stringContains (TraceView.note out "exit_handlers") "did not run" "the notes say so"
            let t = load out
            let nested = t |> callsOf "Faults.Program.Nested(string, int)"
            Expect.equal (nested |> List.map (fun c -> c.Returned)) [ None; None; None ] "three calls, none returned"
            Expect.equal (nested |> List.map (fun c -> List.last c.Args |> snd)) [ "2"; "1"; "0" ] "their depths"
            Expect.isNonEmpty (t |> stepsAt "Program.cs" 20) "the step of the FailFast line"
            Expect.isTrue (t.Io |> List.exists (fun e -> e.Content = "mode failfast\n")) "the output before it"
        }
        test "kill -9 of the program: every event written before it is kept" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let recorder, pid = Cli.startRecording [ "-o"; out; Repo.program "Faults"; "--"; "wait" ]
            // A few ticks of the loop (one each 100 ms) before the kill.
            System.Threading.Thread.Sleep 500
            Cli.signal "9" pid
            recorder.WaitForExit()
            Expect.equal recorder.ExitCode 0 (recorder.StandardError.ReadToEnd())
            validates out true
            Expect.equal (outcome out) "partial" "outcome"
            Expect.equal (TraceView.note out "termination") "killed by signal 9" "SIGKILL"
            let t = load out
            Expect.equal (t |> callsOf "Faults.Program.Nested(string, int)" |> List.length) 3 "the calls"
            let ticks = t.Steps |> List.choose (fun s -> s.Values.TryFind "tick")
            Expect.isGreaterThanOrEqual ticks.Length 2 "the loop's steps up to the kill"
        }
    ]

let policy =
    testList "Policy switches" [
        test "CODETRACER_DISABLED=1 runs the program unrecorded and keeps its exit code" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.runWithEnv [ "CODETRACER_DISABLED", "1" ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; Repo.program "ExitCode" ] ""
            Expect.equal run.ExitCode 3 run.Stderr
            Expect.equal run.Stdout "exiting with 3\n" "program output"
            Expect.isFalse (Directory.Exists out) "no trace"
        }
        test "--require-trace fails a recording that holds no call of the program" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            // An activation selector that matches nothing: the program runs, nothing is recorded.
            let args = [ "-o"; out; "--activation"; "obj:No.Such.Method"; Repo.program "Recursion" ]
            let run = Cli.codetracer ([ "record"; "--require-trace" ] @ args)
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.stringContains run.Stderr "ERR_TRACE_MISSING" "code"
            Expect.isFalse (Directory.Exists out) "no trace kept"
            let lenient = Cli.codetracer ("record" :: args)
            Expect.equal lenient.ExitCode 0 lenient.Stderr
        }
        test "--log-level info --log-file writes JSON lines with run and trace ids" {
            let temp = Repo.tempFolder ()
            let logFile = Path.Combine(temp, "log.jsonl")
            let out = Path.Combine(temp, "trace")
            let run = Cli.codetracer [ "record"; "-o"; out; "--log-level"; "info"; "--log-file"; logFile; Repo.program "Recursion" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let lines = File.ReadAllLines logFile |> Array.map (fun l -> JsonDocument.Parse(l).RootElement)
            Expect.isGreaterThanOrEqual lines.Length 2 "instrument and launch lines"
            let traceId = (TraceView.metadata out).GetProperty("recording_id").GetString()
            for l in lines do
                Expect.equal (l.GetProperty("level").GetString()) "info" "level"
                Expect.equal (l.GetProperty("trace_id").GetString()) traceId "trace id"
                Expect.isNonEmpty (l.GetProperty("run_id").GetString()) "run id"
                Expect.isGreaterThan (l.GetProperty("ts_micros").GetInt64()) 0L "timestamp"
            Expect.isFalse (run.Stderr.Contains "{\"ts_micros\"") "nothing logged to stderr when a log file is given"
            // The bench times conversion and the trace's readiness from these lines.
            let messages = lines |> Array.map (fun l -> l.GetProperty("message").GetString()) |> Array.toList
            let order = messages |> List.filter (fun m -> List.contains m [ "the program exited"; "converted the raw log"; "the trace is ready" ])
            Expect.equal order [ "the program exited"; "converted the raw log"; "the trace is ready" ] "exit, conversion, publication"
            let converted = lines |> Array.find (fun l -> l.GetProperty("message").GetString() = "converted the raw log")
            let counters = (TraceView.metadata out).GetProperty("counters")
            Expect.equal (converted.GetProperty("fields").GetProperty("events").GetString()) (string (counters.GetProperty("events").GetInt64())) "events as in the metadata"
        }
    ]

let tests = testList "Lifecycle" [ injection; faults; policy ]
