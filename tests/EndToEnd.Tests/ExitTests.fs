/// Endings as they happened: tests/programs/Exits calls `Environment.Exit(3)` inside
/// nested calls, on the main thread or on another thread while Main waits; a test run
/// whose last test fails ends on `<toplevel>` (docs/design.md, "Conversion choices").
module CodeTracer.EndToEnd.Tests.ExitTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// Records Exits with this argument: exit code 0 (the recorder's), a valid, balanced trace.
let private exited (how: string) =
    let run, folder = Cli.record "Exits" [ how ]
    Expect.equal run.ExitCode 0 (sprintf "codetracer record Exits %s: %s" how run.Stderr)
    Expect.stringContains run.Stdout "exiting with 3" "the program ran"
    Expect.isFalse (run.Stdout.Contains "not reached") "Environment.Exit ended it"
    let code, output = Cli.validate folder []
    Expect.equal code 0 (sprintf "validate (balanced, no --partial): %s" output)
    run, folder

let private callLines (folder: string) =
    let printed = Cli.codetracer [ "print"; folder; "--calls" ]
    Expect.equal printed.ExitCode 0 printed.Stderr
    printed.Stdout.Split('\n') |> Array.filter ((<>) "") |> List.ofArray

let tests =
    testList "Exits" [
        test "Environment.Exit(3) inside nested calls: each open call returns <exit 3>, <toplevel> 3, outcome complete" {
            let run, folder = exited "nested"
            Expect.stringContains run.Stderr "the program exited with 3" "the program's exit code"
            let m = TraceView.metadata folder
            Expect.equal (m.GetProperty("outcome").GetString()) "complete" "nothing was lost"
            Expect.equal (m.GetProperty("exit_code").GetInt32()) 3 "exit code"
            Expect.equal
                (callLines folder)
                [ "<toplevel> → 3"
                  "  Exits.Program.Main(string[]) args=[\"nested\"] → <exit 3>"
                  "    Exits.Program.Outer(int) code=3 → <exit 3>"
                  "      Exits.Program.Inner(int) code=3 → <exit 3>" ]
                "every open call returns <exit 3>"
        }
        test "Environment.Exit(3) on another thread while Main waits: every thread's open calls return <exit 3>" {
            let _, folder = exited "thread"
            Expect.equal ((TraceView.metadata folder).GetProperty("outcome").GetString()) "complete" "nothing was lost"
            let lines = callLines folder
            Expect.equal lines.Head "<toplevel> → 3" "<toplevel> returns the exit code"
            for name in [ "Exits.Program.Main(string[])"; "Exits.Program.Wait(Thread)"; "Exits.Program.Main.<lambda 1>"; "Exits.Program.Outer(int)"; "Exits.Program.Inner(int)" ] do
                let line = lines |> List.filter (fun l -> l.Contains name)
                Expect.equal line.Length 1 (sprintf "%s once in %A" name lines)
                Expect.stringEnds line.Head "→ <exit 3>" (sprintf "%s returns <exit 3>" name)
            Expect.isGreaterThanOrEqual (lines |> List.filter (fun l -> l.StartsWith "  thread ")).Length 2 "main's and the worker's calls apart"
        }
        test "a test run whose last test failed ends on a step of <toplevel>, not on the failure's Error event" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.codetracer [ "record"; "-o"; out; "--test"; Repo.program "NunitCart"; "--"; "--filter"; "FullyQualifiedName~Discount" ]
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.equal (fst (Cli.validate out [])) 0 "valid"
            let t = load out
            let failing = callsOf "NunitCart.CartTests.TotalAppliesTheDiscount()" t
            Expect.stringStarts (defaultArg failing.Head.Returned "") "<unwind>" "the test failed"
            let last = t.Steps |> List.last
            Expect.equal (last.Function, last.Line) ("<toplevel>", 1) "the last step is <toplevel>'s"
            Expect.equal (t.Io |> List.filter (fun io -> io.Kind = 11) |> List.map (fun io -> io.Step = Some last)) [ false ] "the Error event is on the failing test's step, not on the last"
        }
    ]
