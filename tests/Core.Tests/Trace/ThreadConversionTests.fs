/// Threads: chunks of several threads interleaved in the log, laid out as they ran.
module CodeTracer.Core.Tests.ThreadConversionTests

open System
open System.Diagnostics
open System.Text.Json
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording
open CodeTracer.Core.Trace

open CodeTracer.Core.Tests.ConversionFixtures

let private threadTests =
    let manifest = exceptionManifest
    testList
        "threads"
        [ test "a thread starting a call while another's is open waits for that call to return: each call once, no switch" {
              // Thread 1 enters M0; thread 2 enters M1; thread 1 returns from M0, then thread 2
              // steps and returns.
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 1 ] @ exStep 5 2 ]
                    1L, [ exStep 2 3 @ [ RReturn ] ]
                    2L, [ exStep 6 4 @ [ RReturn; RValue(RInt 5L) ] ] ]
              let events, ending = convertThreads manifest chunks 0
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let problems, views = threadView events
              Expect.isEmpty problems (String.concat "; " problems)
              Expect.isEmpty (events |> List.filter isSwitch) "no call left for another thread"
              Expect.equal ending.Reentries 0L "no call re-entered"
              Expect.equal (events |> List.filter isCall |> List.length) 3 "<toplevel>, M0, M1"
              let m1 = events |> List.findIndex (function Call(2, _) -> true | _ -> false)
              let m0Returns = events |> List.findIndex (function Return(NoneValue _) -> true | _ -> false)
              Expect.isLessThan m0Returns m1 "thread 2's call is written after thread 1's returned"
              Expect.equal (views.[2L] |> List.filter (fun s -> s.StartsWith "Call" || s.StartsWith "Return")) [ "Call 2 ()"; "Return 5" ] "thread 2's own calls"
          }
          test "past the hold limit a thread's calls are left (<thread switch>) and re-entered, counted apart" {
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 1 ] @ exStep 5 2 ]
                    1L, [ exStep 2 3 @ [ RReturn ] ]
                    2L, [ exStep 6 4 @ [ RReturn; RValue(RInt 5L) ] ] ]
              let events, ending = convertThreadsWith 0 manifest chunks 0
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let problems, views = threadView events
              Expect.isEmpty problems (String.concat "; " problems)
              let switches = events |> List.filter isSwitch
              Expect.isGreaterThan switches.Length 0 "a call left for another thread"
              Expect.equal ending.Reentries (int64 switches.Length) "each left call re-entered once"
              Expect.equal (events |> List.filter isCall |> List.length) (3 + switches.Length) "the re-entries are Calls in the trace"
              let c = TraceSummary.counts events
              Expect.equal (c.Calls, c.Returns, c.OpenCalls) (3, 3, 0) "the summary counts the program's calls only"
              Expect.equal (TraceSummary.callsPerFunction events |> List.sumBy snd) 3 "calls per function too"
              Expect.equal (views.[2L] |> List.filter (fun s -> s.StartsWith "Call" || s.StartsWith "Return")) [ "Call 2 ()"; "Return 5" ] "thread 2's own calls"
          }
          test "a thread whose open calls do not return in its next events waits: another's call goes on top of them first" {
              // Thread 1 is in M0 (a Join); thread 2's M1 waits; thread 1's next chunk only steps.
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 1 ] @ exStep 5 2 @ [ RReturn; RValue(RInt 5L) ] ]
                    1L, [ exStep 2 3 ]
                    1L, [ [ RReturn ] ] ]
              let events, ending = convertThreads manifest chunks 0
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let m1 = events |> List.findIndex (function Call(2, _) -> true | _ -> false)
              let line12 = events |> List.findIndex (function Step(_, 12) -> true | _ -> false)
              Expect.isLessThan m1 line12 "thread 2's call is written before thread 1's next step"
              Expect.isEmpty (events |> List.filter isSwitch) "no switch"
          }
          test "a thread whose calls are balanced within its chunk costs no extra event" {
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 1 ] @ exStep 5 2 @ [ RReturn; RValue(RInt 5L) ] ]
                    1L, [ exStep 2 3 @ [ RReturn ] ] ]
              let events, _ = convertThreads manifest chunks 0
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              Expect.equal (events |> List.filter (function Call _ -> true | _ -> false) |> List.length) 3 "<toplevel>, M0, M1: no re-entry"
              Expect.equal (events |> List.choose (function ThreadStart t -> Some t | _ -> None)) [ 1L; 2L ] "ThreadStart per thread"
          }
          testPropertyWithConfig config "(g) interleaved threads obey the loader's rules, each Return on its own thread's frame, each thread's events as alone, calls counted once"
          <| Prop.forAll (Arb.fromGen (Gen.zip threadedRuns (Gen.elements [ 0; 3; 40; ThreadLayout.DefaultHoldLimit ]))) (fun ((manifest, threads, chunks), limit) ->
              let events, ending = convertThreadsWith limit manifest chunks 0
              let enters = threads |> List.sumBy (fun (_, records) -> records |> List.filter (function REnter _ -> true | _ -> false) |> List.length)
              Expect.equal (TraceSummary.counts events).Calls (enters + 1) "the summary's calls: one per Enter, and <toplevel>"
              Expect.equal (int64 (events |> List.filter isCall |> List.length) - ending.Reentries) (int64 enters + 1L) "Calls less re-entries"
              Expect.equal ending.Anomalies 0 "no anomaly"
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let problems, views = threadView events
              Expect.isEmpty problems (String.concat "; " problems)
              for tid, records in threads do
                  let alone, _ = convert manifest [ records ] 0
                  let _, aloneViews = threadView alone
                  Expect.equal (Map.tryFind tid views |> Option.defaultValue []) (Map.tryFind threadId aloneViews |> Option.defaultValue []) (sprintf "thread %d as alone" tid))

          testPropertyWithConfig { config with maxTest = 10 } "interleaved threads pass ct-validate.py"
          <| Prop.forAll (Arb.fromGen (Gen.zip threadedRuns (Gen.elements [ 0; 40; ThreadLayout.DefaultHoldLimit ]))) (fun ((manifest, _, chunks), limit) ->
              let events, _ = convertThreadsWith limit manifest chunks 0
              let code, output = validate events
              Expect.equal code 0 output) ]


let tests = testList "Trace.Conversion" [ threadTests ]
