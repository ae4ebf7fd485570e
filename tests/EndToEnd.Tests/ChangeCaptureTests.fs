/// Change-only capture against a full snapshot: the runtime writes a variable only when
/// it may have changed, and the trace must be exactly what writing every variable at
/// every step gives.
module CodeTracer.EndToEnd.Tests.ChangeCaptureTests

open System.IO
open Expecto

/// Records a program with every variable written at every step (the test hook).
let private recordFullSnapshot (program: string) =
    let out = Path.Combine(Repo.tempFolder (), "full")
    let env = [ "CODETRACER_TEST_HOOKS", "1"; "CODETRACER_TEST_FULL_SNAPSHOT", "1" ]
    Cli.runWithEnv env "dotnet" [ Repo.cliDll; "record"; "--format"; "json"; "-o"; out; Repo.program program ] "", out

/// Programs whose values do not depend on the instrumented code itself (a caught
/// exception's StackFrame shows IL offsets, which differ between the two captures).
let private programs = [ "Mutations"; "Arrays"; "Values"; "Constructs"; "Exceptions"; "FSharpValues"; "Strings"; "Recursion" ]

let private lines (folder: string) = File.ReadAllLines(Path.Combine(folder, "trace.json"))

let tests =
    testList "Change-only capture" [
        for program in programs do
            test (sprintf "%s: the trace equals the full snapshot's, event by event" program) {
                let changed, changedDir = Cli.recordWith [ "--format"; "json" ] program [] ""
                let full, fullDir = recordFullSnapshot program
                Expect.equal changed.ExitCode 0 changed.Stderr
                Expect.equal full.ExitCode 0 full.Stderr
                let a, b = lines changedDir, lines fullDir
                Expect.equal a.Length b.Length "as many events"
                for i in 0 .. a.Length - 1 do
                    Expect.equal a.[i] b.[i] (sprintf "event %d" i)
            }
        test "a change by recorded code, platform code or an alias shows at the very next step" {
            let _, folder = Cli.record "Mutations" []
            let t = TraceView.load folder
            let at line name =
                match TraceView.stepsAt "Mutations/Program.cs" line t with
                | step :: _ -> step.Values.TryFind name
                | [] -> None
            Expect.equal (at 19 "numbers") (Some "[5, 9, 8]") "element store"
            Expect.equal (at 20 "numbers") (Some "[5, 8, 9]") "Array.Sort"
            Expect.equal (at 22 "numbers") (Some "[5, 8, 42]") "a span write"
            Expect.equal (at 24 "numbers") (Some "[-1, 8, 42]") "through an alias"
            Expect.equal (at 25 "numbers") (Some "[99, 8, 42]") "in a recorded call"
            Expect.equal (at 27 "list") (Some "[a, b]") "List.Add"
            Expect.equal (at 29 "map") (Some "[(x, 2)]") "a dictionary entry"
            Expect.equal (at 31 "box") (Some "{Count: 3, Label: empty}") "a field"
            Expect.equal (at 33 "box") (Some "{Count: 3, Label: full}") "a field through an alias"
            Expect.equal (at 36 "captured") (Some "11") "a captured variable changed by a lambda"
            Expect.equal (at 38 "zero") (Some "-0") "a negative zero"
            Expect.equal (at 40 "names") (Some "[a, c]") "a string array's element"
            Expect.equal (at 41 "names") (Some "[x, c]") "another string array of the same length"
            Expect.equal (at 43 "flags") (Some "[true, true]") "a bool array filled through a span"
            Expect.equal (at 44 "numbers") (Some "[7, 8, 42]") "another int array of the same length"
            Expect.equal (at 46 "ints") (Some "[5, 2]") "a list's element written through CollectionsMarshal.AsSpan"
            Expect.equal (at 47 "text") (Some "ab") "a StringBuilder, shown as its text"
            Expect.equal (at 48 "text") (Some "abc") "a StringBuilder appended to"
            let long = (at 49 "text").Value
            Expect.isTrue (long.StartsWith(String.replicate 1000 "x") && long.EndsWith "…<203 more chars>") long
        }
    ]
