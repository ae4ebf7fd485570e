/// A recorded program that starts a child .NET process: the child runs
/// normally (no hang on the diagnostics port, the runtime resolvable, probes off).
module CodeTracer.EndToEnd.Tests.ChildProcessTests

open System.IO
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let tests =
    testList "Child processes" [
        test "a child started from the staged program runs unrecorded and the parent's trace is whole" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.codetracer [ "record"; "-o"; out; "--propagate-exit-code"; Repo.program "Parent" ]
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.equal run.Stdout "parent saw: child 42 (exit 0)\n" "the child ran and answered"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            let t = load out
            Expect.equal (callsOf "Parent.Program.Child(int)" t) [] "the child's calls are not in the parent's trace"
            Expect.equal (callsOf "Parent.Program.Main(string[])" t |> List.length) 1 "the parent's Main"
        }
    ]
