/// A real suite recorded whole: tests/programs/NunitSuite (324 NUnit tests over Kit:
/// parallel fixtures, parameterised tests, theories, setup and teardown, async tests,
/// known failures and ignored tests) runs plain under `dotnet test` and recorded under
/// `codetracer record --test`, and the runner must report the same counts both times.
module CodeTracer.EndToEnd.Tests.SuiteTests

open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// (failed, passed, skipped, total) from `dotnet test`'s last line for the assembly.
let private counts (output: string) : int * int * int * int =
    let m = Regex.Match(output, @"Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+), Total:\s+(\d+)")
    if not m.Success then failtestf "no test counts in the runner's output:\n%s" output
    let n (i: int) = int m.Groups.[i].Value
    n 1, n 2, n 3, n 4

/// The test methods that run (the ignored ones, KnownFailures.Unwritten and Millions, do not).
let private testMethods =
    [ "AccountTests", [ "DepositsAddUp"; "KeepsItsOwner"; "RefusesNonPositiveDeposits"; "RefusesToOverdraw"; "StartsWithTheDeposit"; "WithdrawalsAndDepositsInterleave"; "WithdrawsWithinTheBalance" ]
      "FractionTests", [ "AddingIsCommutative"; "LowestTerms"; "Shown"; "ZeroDenominator" ]
      "KnownFailures", [ "Overdraws"; "WrongAsyncPrice"; "WrongNumeral" ]
      "PriceServiceTests", [ "ConcurrentTotalsAgree"; "Prices"; "StreamsThePrices"; "TheCacheLooksUpOnce"; "TotalsALineList" ]
      "PrimeTests", [ "Gcd"; "TrialDivisionAgreesWithTheSieve" ]
      "RomanTests", [ "KnownNumerals"; "NotANumeral"; "OutOfRange"; "RoundTrips" ]
      "StockTests", [ "NothingToShip"; "ShipsWhatWasReceived" ]
      "TextTests", [ "Palindromes"; "Slugs"; "Words" ] ]
    |> List.collect (fun (fixture, methods) -> methods |> List.map (fun m -> sprintf "NunitSuite.%s.%s" fixture m))

let tests =
    testList "Suite" [
        test "the NUnit suite recorded whole reports exactly the plain run's counts, and its trace holds every test" {
            let suite = Repo.program "NunitSuite"
            let plain = Cli.run "dotnet" [ "test"; suite ] ""
            Expect.equal plain.ExitCode 1 ("the known failures fail the plain run:\n" + plain.Stdout + plain.Stderr)
            let expected = counts plain.Stdout
            Expect.equal expected (3, 319, 2, 324) "the plain run: three known failures, two ignored tests"
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let clock = Stopwatch.StartNew()
            let recorded = Cli.codetracer [ "record"; "-o"; out; "--test"; suite ]
            printfn "NunitSuite: %d tests recorded in %.1f s" (let _, _, _, total = expected in total) clock.Elapsed.TotalSeconds
            Expect.equal recorded.ExitCode 0 recorded.Stderr
            Expect.equal (counts recorded.Stdout) expected "the recorded run's counts"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            let called = (load out).Calls |> List.map (fun c -> c.Function) |> set
            let ran (name: string) = called |> Set.exists (fun f -> f.StartsWith(name + "("))
            Expect.equal (testMethods |> List.filter (ran >> not)) [] "every test method that ran is in the trace"
            Expect.isFalse (ran "NunitSuite.KnownFailures.Unwritten" || ran "NunitSuite.KnownFailures.Millions") "ignored tests do not run"
            Expect.isTrue (ran "NunitSuite.AccountTests.OpenWithAHundred" && ran "NunitSuite.AccountTests.NeverBelowZero") "setup and teardown"
            Expect.isTrue (ran "Kit.Roman.ToRoman" && ran "Kit.Stock.TryShip" && ran "Kit.PriceService.PriceAsync") "the code under test"
        }
    ]
