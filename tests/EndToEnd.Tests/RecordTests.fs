/// Records the programs of tests/programs through the real CLI and checks the
/// traces: conformance with ct-validate.py, then content.
module CodeTracer.EndToEnd.Tests.RecordTests

open System.IO
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// Records once per program and shares the result between the tests that read it.
let private recordings = System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Cli.Run * string>>()

let private input = Map.ofList [ "ConsoleIO", "Ada\n" ]

let private recorded program args =
    let stdin = input.TryFind program |> Option.defaultValue ""
    recordings.GetOrAdd(program + "|" + String.concat " " args, fun _ -> lazy (Cli.recordWithInput program args stdin)).Value

let private valid program args =
    let run, folder = recorded program args
    Expect.equal run.ExitCode 0 (sprintf "codetracer record %s: %s" program run.Stderr)
    let code, output = Cli.validate folder []
    Expect.equal code 0 (sprintf "ct-validate on %s: %s" program output)
    load folder

let private returns (calls: CallView list) = calls |> List.map (fun c -> c.Returned |> Option.defaultValue "<open>")
let private arg name (c: CallView) = c.Args |> List.find (fun (n, _) -> n = name) |> snd

let private onlyStep program marker (t: Trace) =
    match stepsAt (program + "/Program.cs") (Repo.lineOf program marker) t with
    | [ s ] -> s
    | steps -> failtestf "expected one step at %s (line %d), got %d" marker (Repo.lineOf program marker) steps.Length

let recursion =
    testList "Recursion" [
        test "every call of Factorial with its argument and return value" {
            let t = valid "Recursion" []
            let calls = callsOf "Recursion.Program.Factorial(int)" t
            Expect.equal (calls |> List.map (arg "n")) [ "5"; "4"; "3"; "2"; "1" ] "arguments in call order"
            Expect.equal (returns calls) [ "120"; "24"; "6"; "2"; "1" ] "return values"
            Expect.equal (calls |> List.map (fun c -> c.Depth)) [ 2; 3; 4; 5; 6 ] "nested under <toplevel> and Main"
        }
        test "Fib is called 25 times for Fib(6) and returns 8" {
            let t = valid "Recursion" []
            let calls = callsOf "Recursion.Program.Fib(int)" t
            Expect.equal calls.Length 25 "calls"
            Expect.equal (List.head calls).Returned (Some "8") "Fib(6)"
        }
        test "the locals of Main at the line that prints them, and the output on that step" {
            let t = valid "Recursion" []
            let s = onlyStep "Recursion" "Console.WriteLine($\"{f} {g}\")" t
            Expect.equal (s.Values.TryFind "f") (Some "120") "f"
            Expect.equal (s.Values.TryFind "g") (Some "8") "g"
            let io = t.Io |> List.find (fun e -> e.Content = "120 8\n")
            Expect.equal io.Kind 0 "stdout"
            Expect.equal (io.Step |> Option.map (fun s -> s.Line)) (Some s.Line) "the output belongs to the printing step"
        }
        test "the program's output still reaches the terminal" {
            let run, _ = recorded "Recursion" []
            Expect.equal run.Stdout (Cli.plain "Recursion" []).Stdout "same stdout as unrecorded"
        }
    ]

let strings =
    testList "Strings" [
        test "string and char arguments and the returned string" {
            let t = valid "Strings" []
            let greet = callsOf "Strings.Program.Greet(string, char)" t |> List.exactlyOne
            Expect.equal greet.Args [ "name", "world"; "mark", "!" ] "arguments"
            Expect.equal greet.Returned (Some "Hello, world!") "return"
            Expect.equal ((callsOf "Strings.Program.CountVowels(string)" t |> List.exactlyOne).Returned) (Some "3") "vowels"
        }
        test "escapes, non-ASCII, lone surrogates and null" {
            let t = valid "Strings" []
            let s = onlyStep "Strings" "Console.WriteLine(hi" t
            Expect.equal (s.Values.TryFind "who") (Some "Zoë \"quoted\"\n") "escaped text"
            Expect.equal (s.Values.TryFind "lone") (Some "a\uFFFDb") "lone surrogate replaced"
            Expect.equal (s.Values.TryFind "nothing") (Some "null") "null"
            Expect.equal (s.Values.TryFind "flag") (Some "true") "bool"
        }
        test "the loop variable of foreach at each iteration" {
            let t = valid "Strings" []
            let line = Repo.lineOf "Strings" "if (\"aeiou\".IndexOf(c) >= 0)"
            let seen = stepsAt "Strings/Program.cs" line t |> List.map (fun s -> s.Values.["c"])
            Expect.equal (String.concat "" seen) "recording" "one step per character, in order"
        }
    ]

let arrays =
    testList "Arrays" [
        test "an int[] argument and the loop's steps" {
            let t = valid "Arrays" []
            let sum = callsOf "Arrays.Program.Sum(int[])" t |> List.exactlyOne
            Expect.equal sum.Args [ "values", "[3, 1, 4, 1, 5]" ] "array argument"
            Expect.equal sum.Returned (Some "14") "sum"
            let body = stepsAt "Arrays/Program.cs" (Repo.lineOf "Arrays" "total += values[i];") t
            Expect.equal (body |> List.map (fun s -> s.Values.["i"])) [ "0"; "1"; "2"; "3"; "4" ] "i per iteration"
            Expect.equal (body |> List.map (fun s -> s.Values.["total"])) [ "0"; "3"; "4"; "8"; "9" ] "total before each addition"
        }
        test "enums, lists, doubles, decimals and ulong at Main's last line" {
            let t = valid "Arrays" []
            let s = onlyStep "Arrays" "Console.WriteLine($\"{sum}" t
            Expect.equal (s.Values.TryFind "favourite") (Some "Green") "enum by member name"
            Expect.equal (s.Values.TryFind "names") (Some "[a, b, Green]") "List<string>"
            Expect.equal (s.Values.TryFind "ratios") (Some "[0.1, 2.5, NaN]") "double[] with NaN"
            Expect.equal (s.Values.TryFind "price") (Some "19.90") "decimal keeps its scale"
            Expect.equal (s.Values.TryFind "big") (Some "BigInt://////////8=") "ulong.MaxValue as BigInt"
            Expect.equal ((callsOf "Arrays.Program.Names(Arrays.Color)" t |> List.exactlyOne).Args) [ "color", "Green" ] "enum argument"
            Expect.contains t.Types (4, "int[]") "int[] registered as an Array type"
        }
    ]

let consoleIO =
    testList "ConsoleIO" [
        test "stdout and stderr writes become events on the steps that wrote them" {
            let t = valid "ConsoleIO" []
            let outLine = Repo.lineOf "ConsoleIO" "Console.WriteLine(\"step \" + step);"
            let errLine = Repo.lineOf "ConsoleIO" "Console.Error.WriteLine"
            let stepOf (e: IoView) = e.Step |> Option.map (fun s -> s.Line)
            let find content = t.Io |> List.find (fun e -> e.Content = content)
            Expect.equal ((find "step 2\n").Kind, stepOf (find "step 2\n")) (0, Some outLine) "stdout on its line"
            Expect.equal ((find "warning 1\n").Kind, stepOf (find "warning 1\n")) (2, Some errLine) "stderr on its line"
            Expect.equal (stepOf (find "start;")) (Some(Repo.lineOf "ConsoleIO" "Console.Write(\"start;\")")) "Write without newline"
            Expect.equal (t.Io |> List.filter (fun e -> e.Kind <> 3) |> List.map (fun e -> e.Content)) [ "start;"; "step 1\n"; "warning 1\n"; "step 2\n"; "warning 2\n"; "done, Ada\n" ] "all output in order"
        }
        test "a line read from stdin is a Read event on the step that read it" {
            let t = valid "ConsoleIO" []
            let read = t.Io |> List.filter (fun e -> e.Kind = 3)
            Expect.equal (read |> List.map (fun e -> e.Content)) [ "Ada\n" ] "what the program read"
            Expect.equal (read.Head.Step |> Option.map (fun s -> s.Line)) (Some(Repo.lineOf "ConsoleIO" "Console.ReadLine()")) "on the reading step"
        }
        test "the terminal still sees both streams, and stdin reaches the program" {
            let run, _ = recorded "ConsoleIO" []
            Expect.equal run.Stdout "start;step 1\nstep 2\ndone, Ada\n" "stdout"
            Expect.stringContains run.Stderr "warning 1\nwarning 2\n" "stderr"
        }
    ]

let exitCodes =
    testList "Exit codes" [
        test "a non-zero exit is recorded, said on stderr, and the recorder exits 0" {
            let t = valid "ExitCode" []
            let run, _ = recorded "ExitCode" []
            Expect.stringContains run.Stderr "the program exited with 3; pass --propagate-exit-code to return it" "message"
            let toplevel = t.Calls |> List.head
            Expect.equal (toplevel.Function, toplevel.Returned) ("<toplevel>", Some "3") "<toplevel> returns the exit code"
        }
        test "--propagate-exit-code returns the program's code, and arguments after -- reach the program" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.codetracer [ "record"; "--propagate-exit-code"; "-o"; out; Repo.program "ExitCode"; "--"; "7" ]
            Expect.equal run.ExitCode 7 run.Stderr
            Expect.equal run.Stdout "exiting with 7\n" "program output"
            let decide = load out |> callsOf "ExitCode.Program.Decide(string[])" |> List.exactlyOne
            Expect.equal decide.Args [ "args", "[7]" ] "program arguments"
        }
    ]

let crash =
    test "a program that dies of an unhandled exception leaves a partial trace up to the fault" {
        let run, folder = recorded "ExitCode" [ "not-a-number" ]
        Expect.equal run.ExitCode 0 run.Stderr
        Expect.stringContains run.Stderr "FormatException" "the program's own stack trace reaches stderr"
        Expect.stringContains run.Stderr "partial trace" "the recorder says the trace is partial"
        let code, output = Cli.validate folder [ "--partial" ]
        Expect.equal code 0 output
        let t = load folder
        let decide = callsOf "ExitCode.Program.Decide(string[])" t |> List.exactlyOne
        Expect.equal (decide.Args, decide.Returned) ([ "args", "[not-a-number]" ], None) "the failing call stays open"
    }

let usageErrors =
    let expectUsage (run: Cli.Run) (code: string) =
        Expect.equal run.ExitCode 2 run.Stderr
        Expect.stringContains run.Stderr code "error code"
        Expect.isFalse (run.Stderr.Contains "   at ") "no stack trace"
    testList "Usage errors" [
        test "a missing target" {
            expectUsage (Cli.codetracer [ "record"; "/nonexistent/app.dll" ]) "ERR_TARGET_NOT_FOUND"
        }
        test "a target that is not a .NET program" {
            let notDotnet = Path.Combine(Repo.tempFolder (), "app.dll")
            File.WriteAllText(notDotnet, "not a PE file")
            expectUsage (Cli.codetracer [ "record"; notDotnet ]) "ERR_TARGET_NOT_MANAGED"
        }
        test "a file in place of the output folder" {
            let file = Path.Combine(Repo.tempFolder (), "taken")
            File.WriteAllText(file, "")
            expectUsage (Cli.codetracer [ "record"; "-o"; file; Repo.program "ExitCode" ]) "ERR_TRACE_DIR_CONFLICT"
        }
        test "an unknown option" {
            let run = Cli.codetracer [ "record"; "--no-such-option"; Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "unknown option '--no-such-option'" "names the option"
            Expect.equal (run.Stderr.Trim().Split('\n').Length) 1 "one line"
        }
    ]

/// Reading `this` at the constructor's entry reads a field of a type whose static initializer
/// has not run (beforefieldinit). Values are read in place, which runs no initializer: it runs
/// where the program first needs it (in Greet) and is recorded there, not lost inside a value's read.
let staticInit =
    testList "StaticInit" [
        test "a static initializer runs and is recorded where the program first needs it" {
            let run, _ = recorded "StaticInit" []
            Expect.equal run.Stdout "Hello, Ada\n" "the program's output"
            let t = valid "StaticInit" []
            let ctor = callsOf "StaticInit.Greeter..ctor(string)" t |> List.exactlyOne
            Expect.equal (arg "name" ctor) "Ada" "the constructor's argument"
            let greet = callsOf "StaticInit.Greeter.Greet()" t |> List.exactlyOne
            Expect.equal greet.Returned (Some "Hello, Ada") "the value the initializer computed"
            let init = callsOf "StaticInit.Greeter.MakePrefix()" t |> List.exactlyOne
            Expect.equal init.Returned (Some "Hello, ") "the initializer's own call"
            let order = t.Calls |> List.map (fun c -> c.Function)
            Expect.isGreaterThan
                (List.findIndex ((=) init.Function) order)
                (List.findIndex ((=) greet.Function) order)
                "the initializer runs inside Greet, its first use"
        }
    ]

let tests = testList "Record" [ recursion; strings; arrays; consoleIO; exitCodes; crash; usageErrors; staticInit ]
