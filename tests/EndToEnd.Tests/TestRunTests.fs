/// `record --test`: the xUnit, NUnit and MSTest programs of tests/programs run
/// under `dotnet test`, their test host recorded: the test methods and the code
/// under test (Cart) in the trace, the runner and the framework not.
module CodeTracer.EndToEnd.Tests.TestRunTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// A test project of tests/programs; only one test builds each, so no two builds race.
let private project (name: string) = Path.Combine(Repo.root, "tests", "programs", name, name + ".csproj")

/// Records `--test target` with these record options and runner arguments; returns the run and the folder.
let private recordTests (options: string list) (target: string) (runnerArgs: string list) =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let run = Cli.codetracer ([ "record"; "-o"; out ] @ options @ [ "--test"; target ] @ (if runnerArgs.IsEmpty then [] else "--" :: runnerArgs))
    run, out

/// A recorded test run: exit 0, a valid trace, loaded.
let private recorded options target runnerArgs =
    let run, out = recordTests options target runnerArgs
    Expect.equal run.ExitCode 0 run.Stderr
    let code, output = Cli.validate out []
    Expect.equal code 0 output
    run, out, load out

let private xunit = lazy (recorded [] (project "XunitCart") [])
let private nunit = lazy (recorded [] (Repo.program "NunitCart") [ "--filter"; "FullyQualifiedName~Total" ])
let private mstest = lazy (recorded [ "--no-framework-filters" ] (Repo.program "MstestCart") [])
let private xunitV3 = lazy (recorded [] (Repo.program "XunitV3Cart") [ "-class"; "XunitCart.CartTests" ])

let private filterNames (folder: string) =
    let meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))).RootElement
    [ for f in meta.GetProperty("trace_filter").GetProperty("filters").EnumerateArray() -> f.GetProperty("name").GetString() ]

let private testMethods (ns: string) (t: Trace) =
    t.Calls |> List.map (fun c -> c.Function) |> List.filter (fun f -> f.StartsWith(ns + ".CartTests.")) |> List.distinct

/// With the framework filter, the calls are the tests and the code under test, not the runner.
let private noRunner (ns: string) (t: Trace) =
    let called = t.Calls |> List.map (fun c -> c.Function) |> List.distinct
    Expect.isTrue
        (called |> List.forall (fun f -> f = "<toplevel>" || f.StartsWith(ns + ".CartTests.") || f.StartsWith "Shop."))
        (sprintf "only the tests and the code under test, not the runner: %A" called)
    Expect.isTrue (t.Calls |> List.filter (fun c -> c.Function.StartsWith(ns + ".")) |> List.forall (fun c -> c.Depth = 1)) "each test is a top call"

/// What every framework's trace shows: the code under test with its values, the failing test's exception.
let private showsTheTestsAndTheCart (ns: string) (t: Trace) =
    let totals = callsOf "Shop.Cart.Total()" t |> List.map (fun c -> c.Returned)
    Expect.contains totals (Some "4.50") "the passing test's total"
    Expect.contains totals (Some "3") "the failing test's total"
    let adds = callsOf "Shop.Cart.Add(string, decimal, int)" t
    Expect.contains (adds |> List.map (fun c -> c.Args |> List.filter (fun (n, _) -> n <> "this"))) [ "item", "pear"; "price", "1.25"; "quantity", "2" ] "arguments"
    let failing = t.Calls |> List.find (fun c -> c.Function = ns + ".CartTests.TotalAppliesTheDiscount()")
    Expect.stringStarts (defaultArg failing.Returned "") "<unwind>" "the failing test unwinds with the assertion's exception"

let tests =
    testList "TestRuns" [
        test "xUnit: a project's tests run with dotnet test; the trace shows each test and the code under test" {
            let run, out, t = xunit.Value
            Expect.stringContains run.Stdout "Failed:     1, Passed:     2" "the runner's own report"
            Expect.equal (testMethods "XunitCart" t |> List.sort) [ "XunitCart.CartTests.CheckoutTakesTheCard()"; "XunitCart.CartTests.TotalAddsTheLines()"; "XunitCart.CartTests.TotalAppliesTheDiscount()" ] "the three tests"
            noRunner "XunitCart" t
            showsTheTestsAndTheCart "XunitCart" t
            Expect.equal (filterNames out) [ "builtin-default"; "builtin-xunit" ] "the framework filter"
        }
        test "xUnit: builtin-default still redacts a test's secret-looking local" {
            let _, out, t = xunit.Value
            let steps = t.Steps |> List.filter (fun s -> s.Function = "XunitCart.CartTests.CheckoutTakesTheCard()")
            Expect.isTrue (steps |> List.exists (fun s -> s.Values.TryFind "cardNumber" = Some "<redacted>")) "redacted"
            Expect.isFalse ((TraceView.text out).Contains "4111111111111111") "the card number is nowhere"
        }
        test "NUnit: a test assembly with a runner filter records only the selected tests" {
            let run, out, t = nunit.Value
            Expect.stringContains run.Stdout "Failed:     1, Passed:     1" "two tests ran"
            Expect.equal (testMethods "NunitCart" t |> List.sort) [ "NunitCart.CartTests.TotalAddsTheLines()"; "NunitCart.CartTests.TotalAppliesTheDiscount()" ] "the selected tests"
            noRunner "NunitCart" t
            showsTheTestsAndTheCart "NunitCart" t
            Expect.equal (filterNames out) [ "builtin-default"; "builtin-nunit" ] "the framework filter"
        }
        test "MSTest: --no-framework-filters records the test host too" {
            let _, out, t = mstest.Value
            Expect.equal (testMethods "MstestCart" t).Length 3 "the three tests"
            showsTheTestsAndTheCart "MstestCart" t
            Expect.equal (filterNames out) [ "builtin-default" ] "no framework filter"
            Expect.isTrue (t.Calls |> List.exists (fun c -> c.Function.StartsWith "Microsoft.VisualStudio.TestPlatform.TestHost.")) "the test host itself is recorded"
        }
        test "xUnit v3: the test assembly is a program that runs its own tests; the runner's arguments reach it" {
            let run, out, t = xunitV3.Value
            Expect.stringContains run.Stdout "Total: 3, Errors: 0, Failed: 1" "the runner's own report"
            Expect.equal (testMethods "XunitCart" t).Length 3 "the three tests (XunitCart's, compiled into the v3 program)"
            noRunner "XunitCart" t
            showsTheTestsAndTheCart "XunitCart" t
            Expect.equal (filterNames out) [ "builtin-default"; "builtin-xunit" ] "the framework filter"
        }
        test "--propagate-exit-code returns dotnet test's exit code for failing tests" {
            let run, out = recordTests [ "--propagate-exit-code" ] (Repo.program "XunitCart") [ "--filter"; "FullyQualifiedName~Discount" ]
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.equal (fst (Cli.validate out [])) 0 "a valid trace"
        }
        test "the user's run settings are merged, and bad ones are a located usage error" {
            let folder = Repo.tempFolder ()
            let good = Path.Combine(folder, "good.runsettings")
            File.WriteAllText(good, "<RunSettings><RunConfiguration><EnvironmentVariables><CART_NOTE>kept</CART_NOTE></EnvironmentVariables></RunConfiguration></RunSettings>")
            let run, out = recordTests [] (Repo.program "XunitCart") [ "--settings"; good; "--filter"; "FullyQualifiedName~Adds" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let t = load out
            Expect.equal (testMethods "XunitCart" t) [ "XunitCart.CartTests.TotalAddsTheLines()" ] "recorded with the user's settings"
            let notes = t.Steps |> List.choose (fun s -> s.Values.TryFind "note") |> List.filter ((<>) "null") |> List.distinct
            Expect.equal notes [ "kept" ] "the user's variable reached the test host beside the recorder's"
            let bad = Path.Combine(folder, "bad.runsettings")
            File.WriteAllText(bad, "<RunSettings>\n  <RunConfiguration>\n</RunSettings>\n")
            let run, out = recordTests [] (Repo.program "XunitCart") [ "--settings"; bad ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "ERR_INVALID_RUNSETTINGS" "code"
            Expect.stringContains run.Stderr "bad.runsettings" "the file"
            Expect.stringContains run.Stderr "Line 3" "the line"
            Expect.isFalse (run.Stderr.Contains "   at ") "no stack trace"
            Expect.isFalse (Directory.Exists out) "no trace"
        }
        test "filters explain --test shows the framework filter skipping the generated entry point" {
            let run = Cli.codetracer [ "filters"; "explain"; "--test"; Repo.program "XunitCart"; "--method"; "AutoGenerated*" ]
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.stringContains run.Stdout "builtin-default (<builtin>) < builtin-xunit (<builtin>)" "the chain"
            Expect.stringContains run.Stdout "AutoGeneratedProgram.Main(string[])  skipped  (rule" "skipped"
            Expect.stringContains run.Stdout "of builtin-xunit" "by the xunit filter"
        }
        test "an assembly that is not a test assembly is a usage error" {
            let run, out = recordTests [] (Repo.program "Recursion") []
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "ERR_NOT_A_TEST_ASSEMBLY" "code"
            Expect.isFalse (Directory.Exists out) "no trace"
        }
        test "CODETRACER_DISABLED runs the tests unrecorded" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.runWithEnv [ "CODETRACER_DISABLED", "1" ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; "--test"; Repo.program "XunitCart" ] ""
            Expect.stringContains run.Stdout "Failed:     1, Passed:     2" "the tests ran"
            Expect.isFalse (Directory.Exists out) "no trace"
        }
    ]
