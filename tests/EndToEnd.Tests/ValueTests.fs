/// The Values program: classes, records, structs, collections, tuples, big numbers
/// and opaque values read field by field without running the program's code.
module CodeTracer.EndToEnd.Tests.ValueTests

open System
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recording = lazy (Cli.record "Values" [])

let private trace =
    lazy
        (let run, folder = recording.Value
         Expect.equal run.ExitCode 0 (sprintf "codetracer record Values: %s" run.Stderr)
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "ct-validate on Values: %s" output)
         load folder)

/// The locals of Main at the step that prints "values ready".
let private locals () =
    let t = trace.Value
    match stepsAt "Values/Program.cs" (Repo.lineOf "Values" "Console.WriteLine(\"values ready\")") t with
    | [ s ] -> s.Values
    | steps -> failtestf "expected one step at the marker, got %d" steps.Length

let private local name =
    match (locals ()).TryFind name with
    | Some v -> v
    | None -> failtestf "no value for %s in %A" name (locals ())

let private expectLocal name expected =
    Expect.equal (local name) expected name

let private fsharpTrace =
    lazy
        (let run, folder = Cli.record "FSharpValues" []
         Expect.equal run.ExitCode 0 (sprintf "codetracer record FSharpValues: %s" run.Stderr)
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "ct-validate on FSharpValues: %s" output)
         load folder)

/// The arguments of the calls of `describe`, by name (its display name may carry its signature).
let private describeArgs (name: string) =
    fsharpTrace.Value.Calls
    |> List.filter (fun c -> c.Function.Contains "describe")
    |> List.map (fun c -> c.Args |> List.find (fun (n, _) -> n = name) |> snd)

let private fsharp =
    testList "FSharpValues" [
        test "records by field name" {
            Expect.equal (describeArgs "person") [ "{Name: Ada, Age: 36}"; "{Name: Alan, Age: 41}"; "{Name: Grace, Age: 85}" ] "person"
        }
        test "unions are Variants of their case, with the case's fields under the names the user gave them" {
            Expect.equal (describeArgs "shape") [ "Rect({width: 2, height: 3})"; "Circle({radius: 1.5})"; "Empty" ] "shape"
            Expect.equal (describeArgs "light") [ "Amber"; "Red"; "Green" ] "light"
            Expect.isTrue (fsharpTrace.Value.Types |> List.contains (28, "FSharpValues.Program.Shape")) "the union's type, not its case class"
        }
        test "a union case's secret-looking field is redacted by builtin-default, never read" {
            let signIn = fsharpTrace.Value.Calls |> List.find (fun c -> c.Function.Contains "signIn")
            Expect.equal (signIn.Args |> List.find (fun (n, _) -> n = "attempt") |> snd) "Login({user: ada, password: <redacted>})" "the password field"
            Expect.equal signIn.Returned (Some "3") "the method still saw the real value"
        }
        test "options are Variants Some and None" {
            Expect.equal (describeArgs "maybe") [ "Some(five)"; "None"; "None" ] "maybe"
            Expect.equal (describeArgs "nothing") [ "None"; "Some(one)"; "None" ] "nothing"
        }
        test "F# lists are sequences" { Expect.equal (describeArgs "items") [ "[1, 2, 3]"; "[]"; "[9]" ] "items" }
        test "closures, inner functions and pipeline lambdas: named after their function, showing what they capture" {
            let t = fsharpTrace.Value
            let scale = "FSharpValues.Program.scale"
            Expect.equal
                (t.Functions |> List.filter (fun f -> f.StartsWith(scale + ".")) |> List.sort)
                (List.sort [ scale + ".addOffset(int)"; scale + ".bump(int)"; scale + ".weigh(int, int)"; scale + ".<lambda 1>"; scale + ".<lambda 2>" ])
                "the inner function and the bound lambda by name, the pipeline's lambdas numbered"
            for name in t.Functions do
                for generated in [ "@"; "Invoke"; "MoveNext" ] do
                    Expect.isFalse (name.Contains generated) (sprintf "%s has no compiler name (%s)" name generated)
            let args name = callsOf name t |> List.map (fun c -> c.Args)
            Expect.equal (args (scale + ".addOffset(int)")) [ [ "x", "4"; "offset", "3" ]; [ "x", "6"; "offset", "3" ] ] "the captured local"
            Expect.equal (args (scale + ".bump(int)")) [ for y in [ "1"; "2"; "3" ] -> [ "y", y; "factor", "2" ] ] "the captured parameter"
            Expect.equal (args (scale + ".<lambda 2>")) [ for x in [ "2"; "4"; "6" ] -> [ "x", x; "factor", "2" ] ] "the filter lambda, no closure `this`"
            Expect.equal
                (args (scale + ".<lambda 1>") |> List.head)
                [ "x", "1"; "bump", "Microsoft.FSharp.Core.FSharpFunc<int, int>" ]
                "a captured function is shown as its function type"
            Expect.equal (callsOf (scale + ".addOffset(int)") t |> List.map (fun c -> c.Returned)) [ Some "7"; Some "9" ] "results"
            Expect.equal (args (scale + ".weigh(int, int)")) [ [ "a", "1"; "b", "7"; "offset", "3" ]; [ "a", "10"; "b", "9"; "offset", "3" ] ] "a two-argument closure"
        }
    ]

let tests =
    testList "Values" [
        fsharp
        test "the trace is valid" { trace.Value |> ignore }
        test "a record's fields under their property names" { expectLocal "person" "{Name: Grace, Age: 85}" }
        test "a class: private fields, auto-properties under their names, inherited fields first" {
            expectLocal "account" "{_balance: 12.5, memo: s3, Owner: Ada, Number: 7, Rate: 0.25}"
        }
        test "a struct" { expectLocal "point" "{X: 3, Y: 4}" }
        test "the default max_depth 8 shows a five-node chain whole" {
            expectLocal "deep" "{Level: 1, Next: {Level: 2, Next: {Level: 3, Next: {Level: 4, Next: {Level: 5, Next: null}}}}}"
        }
        test "--max-depth 1 and --max-elements 2 cut sooner" {
            let out = IO.Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.codetracer [ "record"; "--max-depth"; "1"; "--max-elements"; "2"; "-o"; out; Repo.program "Values" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            let values =
                match stepsAt "Values/Program.cs" (Repo.lineOf "Values" "Console.WriteLine(\"values ready\")") (load out) with
                | [ s ] -> s.Values
                | steps -> failtestf "expected one step at the marker, got %d" steps.Length
            Expect.equal (values.TryFind "deep") (Some "{Level: 1, Next: <depth limit>}") "deep"
            Expect.equal (values.TryFind "primes") (Some "[2, 3, …<1 more>]") "primes"
            for name, cut in
                [ "sortedPrimes", "[2, 3, …<2 more>]"; "chain", "[y, z, …<1 more>]"; "letters", "[a, c, …<1 more>]"
                  "names", "[(1, one), (2, two), …<1 more>]"; "counts", "[(1, one), (2, two), …<1 more>]"
                  "jobs", "[2, 3, …<1 more>]"; "bag", "[3, 2, …<1 more>]"; "odds", "[1, 3, …<2 more>]" ] do
                Expect.equal (values.TryFind name) (Some cut) name
        }
        test "a node pointing to itself is a cycle" { expectLocal "loop" "{Level: 1, Next: <cycle>}" }
        test "a dictionary is a sequence of (key, value) tuples, removed entries left out" {
            expectLocal "ages" "[(ada, 36), (grace, 85)]"
        }
        test "a HashSet is a sequence with a Set type" {
            expectLocal "primes" "[2, 3, 5]"
            Expect.contains trace.Value.Types (1, "HashSet<int>") "Set type kind 1"
        }
        test "tuples" {
            expectLocal "pair" "(1, one)"
            expectLocal "boxedPair" "(4, 2)"
            Expect.contains trace.Value.Types (27, "(int, string)") "the value tuple's type"
            Expect.contains trace.Value.Types (27, "Tuple<int, int>") "the tuple's type"
        }
        test "nullables: the value or null" {
            expectLocal "maybe" "42"
            expectLocal "nothing" "null"
        }
        test "BigInteger and Int128: Int when it fits, else BigInt" {
            expectLocal "huge" ("BigInt:" + Convert.ToBase64String(Numerics.BigInteger.Pow(2I, 70).ToByteArray(true, true)))
            expectLocal "small" "-12"
            expectLocal "wide" ("BigInt:" + Convert.ToBase64String((Numerics.BigInteger.Pow(2I, 127) - 1I).ToByteArray(true, true)))
        }
        test "Half is a Float" { expectLocal "half" "1.5" }
        test "a delegate and a Task are Raw with their type" {
            expectLocal "twice" "Func<int, int>"
            // Task.CompletedTask is a Task<VoidTaskResult>.
            Expect.stringStarts (local "done") "Task" "done"
        }
        test "a two-dimensional array is flat" { expectLocal "grid" "[1, 2, 3, 4]" }
        test "a queue front first, a stack top first" {
            expectLocal "waiting" "[b, c, d]"
            expectLocal "plates" "[3, 2, 1]"
        }
        test "dates, times, GUIDs, versions and URIs are Raw invariant text of their declared type" {
            expectLocal "when" "2024-02-29T13:45:30.0000000Z"
            expectLocal "stamp" "2024-02-29T13:45:30.0000000+02:00"
            expectLocal "duration" "1.02:03:04.5000000"
            expectLocal "day" "2024-02-29"
            expectLocal "time" "13:45:30.0000000"
            expectLocal "id" "0f8fad5b-d9cb-469f-a165-70867728950e"
            expectLocal "version" "1.2.3"
            expectLocal "site" "https://example.org/a?b=c"
            expectLocal "meeting" "{Topic: standup, At: 2024-02-29T13:45:30.0000000Z}"
            for name in [ "DateTime"; "DateTimeOffset"; "TimeSpan"; "DateOnly"; "TimeOnly"; "Guid"; "Version"; "Uri" ] do
                Expect.contains trace.Value.Types (16, name) name
        }
        test "sorted collections in key order, read from their trees and arrays" {
            expectLocal "sortedAges" "[(ada, 36), (alan, 41), (grace, 85)]"
            expectLocal "ranks" "[(a, 1), (b, 2), (c, 3)]"
            expectLocal "sortedPrimes" "[2, 3, 5, 7]"
            Expect.contains trace.Value.Types (1, "SortedSet<int>") "Set type kind 1"
            Expect.contains trace.Value.Types (0, "SortedDictionary<string, int>") "a sequence of pairs"
        }
        test "a linked list from its head" { expectLocal "chain" "[y, z, w]" }
        test "concurrent collections read from their fields" {
            expectLocal "counts" "[(1, one), (2, two), (3, three)]"
            expectLocal "jobs" "[2, 3, 4]"
            expectLocal "backlog" "[36, 37, 38, 39, 40]"
            expectLocal "bag" "[3, 2, 1]"
        }
        test "immutable collections read from their arrays and trees" {
            expectLocal "fixedNumbers" "[4, 5, 6]"
            expectLocal "unset" "[]"
            expectLocal "letters" "[a, c, d]"
            expectLocal "names" "[(1, one), (2, two), (3, three)]"
            expectLocal "odds" "[1, 3, 5, 7]"
            Expect.contains trace.Value.Types (1, "ImmutableHashSet<int>") "Set type kind 1"
        }
        test "an anonymous type's fields under their property names" { expectLocal "anon" "{Id: 1, Tag: x}" }
        test "struct types declare as many fields as their values" {
            let point = trace.Value.Events |> List.tryFind (fun e ->
                e.ValueKind = Text.Json.JsonValueKind.Object
                && (match e.TryGetProperty "Type" with
                    | true, ty -> ty.GetProperty("lang_type").GetString() = "Values.Point" && ty.GetProperty("kind").GetInt32() = 6
                    | _ -> false))
            match point with
            | Some e -> Expect.equal (e.GetProperty("Type").GetProperty("specific_info").GetProperty("fields").GetArrayLength()) 2 "X and Y"
            | None -> failtest "no Struct type Values.Point"
        }
        test "the program's output is unchanged" {
            let run, _ = recording.Value
            Expect.equal run.Stdout (Cli.plain "Values" []).Stdout "same stdout as unrecorded"
        }
    ]
