module CodeTracer.Core.Tests.ConversionTests

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

let private exampleTests =
    testList
        "examples"
        [ test "two sequence points of one line in a row make one Step with the later values" {
              let steps = stepsAfterCall (runLoop (stepWith 1 1 @ stepWith 2 2 @ stepWith 3 3))
              Expect.equal steps [ 11, [ "2" ]; 12, [ "3" ] ] "steps"
          }
          test "a loop back to an earlier site of the same line makes a new Step" {
              let steps = stepsAfterCall (runLoop (stepWith 1 1 @ stepWith 2 2 @ stepWith 1 3 @ stepWith 2 4))
              Expect.equal steps [ 11, [ "2" ]; 11, [ "4" ] ] "steps"
          }
          test "the same site twice makes two Steps" {
              let steps = stepsAfterCall (runLoop (stepWith 1 1 @ stepWith 1 2))
              Expect.equal steps [ 11, [ "1" ]; 11, [ "2" ] ] "steps"
          }
          test "output between two sequence points of one line keeps two Steps" {
              let events = runLoop (stepWith 1 1 @ [ RWrite(0uy, "hi\n") ] @ stepWith 2 2)
              Expect.equal (stepsAfterCall events) [ 11, [ "1" ]; 11, [ "2" ] ] "steps"
              let writeAt = events |> List.findIndex (function IoEvent _ -> true | _ -> false)
              Expect.equal (events |> List.take writeAt |> List.filter (function Step _ -> true | _ -> false) |> List.last) (Step(0, 11)) "output on the first step"
          }
          test "the first sequence point, on the method's own line, keeps its values" {
              // The entry Step (line 10) is written before the Call; site 0 is on line 10
              // too, so its values belong to that step, after the Call.
              let steps = stepsAfterCall (runLoop (stepWith 0 7 @ stepWith 3 8))
              Expect.equal steps [ 12, [ "8" ] ] "no extra step"
              let events = runLoop (stepWith 0 7 @ stepWith 3 8)
              let call = events |> List.findIndex (function Call(1, _) -> true | _ -> false)
              let untilNextStep = events |> List.skip (call + 1) |> List.takeWhile (function Step _ -> false | _ -> true)
              let iVar = events |> List.choose (function VariableName n -> Some n | _ -> None) |> List.findIndex ((=) "i")
              Expect.contains untilNextStep (Value(iVar, ValueRecord.Int(7L, 1))) "i = 7 shown at the entry step"
          }
          test "a void method returns None after a None <return_value>" {
              let events = runLoop (stepWith 3 1)
              let returns = events |> List.filter (function Return _ -> true | _ -> false)
              Expect.equal returns [ Return(NoneValue 0); Return(ValueRecord.Int(0L, 1)) ] "Run returns None, <toplevel> the exit code"
          } ]

let private exceptionTests =
    testList
        "exceptions"
        [ test "an exception unwinding two frames: one Error event on the throw's step, an <unwind> Return per frame, the finally between, then the handler's step" {
              let events =
                  runExceptions (
                      [ REnter 0 ] @ exStep 1 1 @ [ REnter 1 ] @ exStep 5 2 @ [ REnter 2 ] @ exStep 8 3
                      @ [ RUnwind(4, boom) ] @ exStep 6 4 @ [ RUnwind(4, boom) ] @ exStep 3 5 @ [ RReturn ])
              Expect.equal
                  (shape events)
                  [ "step 10"; "call 1"; "step 11 x=1"
                    "step 20"; "call 2"; "step 21 x=2"
                    "step 30"; "call 3"; "step 31 x=3"
                    "event 11 {\"thread\":1} " + boom
                    "return <unwind> " + boom
                    "step 22 x=4"
                    "return <unwind> " + boom
                    "step 13 x=5"
                    "return null"
                    "return 0" ]
                  "the trace"
              let errorType = events |> List.tryPick (function Type(kind, name, _) when kind = TypeKind.Error -> Some name | _ -> None)
              Expect.equal errorType (Some "System.InvalidOperationException") "the value's type is the exception's, of kind Error"
          }

          test "a rethrow is a new throw: a second Error event" {
              let events =
                  runExceptions (
                      [ REnter 0 ] @ exStep 1 1 @ [ REnter 1 ] @ exStep 5 2 @ [ REnter 2 ] @ exStep 8 3
                      @ [ RUnwind(1, boom) ] @ exStep 6 4 @ [ RUnwind(2, boom) ] @ exStep 3 5 @ [ RReturn ])
              let errors = events |> List.filter (function IoEvent(k, _, _) -> k = EventKind.Error | _ -> false)
              Expect.equal errors.Length 2 "one per throw"
              let afterFinally = shape events |> List.skipWhile ((<>) "step 22 x=4") |> List.truncate 3
              Expect.equal afterFinally [ "step 22 x=4"; "event 11 {\"thread\":1} " + boom; "return <unwind> " + boom ] "the rethrow's Error event on the rethrowing step"
          }

          test "an exception filter's steps show in the catching frame, after the frames above it unwound" {
              let events =
                  runExceptions (
                      [ REnter 0 ] @ exStep 1 1 @ [ REnter 1 ] @ exStep 5 2 @ [ REnter 2 ] @ exStep 8 3
                      @ exStep 2 7 // Catch's `when`, evaluated before anything unwinds
                      @ [ RUnwind(1, boom) ] @ exStep 6 4 @ [ RUnwind(1, boom) ] @ exStep 3 5 @ [ RReturn ])
              Expect.equal
                  (shape events |> List.skipWhile ((<>) "step 31 x=3"))
                  [ "step 31 x=3"
                    "event 11 {\"thread\":1} " + boom
                    "return <unwind> " + boom
                    "step 22 x=4"
                    "return <unwind> " + boom
                    "step 12 x=7"
                    "step 13 x=5"
                    "return null"
                    "return 0" ]
                  "the filter's step after Middle's return, before the handler's"
          }

          test "a caught exception leaves the catching frame's next step unmerged" {
              // The handler's step is on the line of the step before the call (11): still a step of its own.
              let events =
                  runExceptions ([ REnter 0 ] @ exStep 1 1 @ [ REnter 2 ] @ exStep 8 3 @ [ RUnwind(1, boom) ] @ exStep 1 6 @ [ RReturn ])
              Expect.equal
                  (shape events |> List.filter (fun l -> l.StartsWith "step 11"))
                  [ "step 11 x=1"; "step 11 x=6" ]
                  "two steps"
          }

          test "an Unwind with no open call, or in the middle of a step's values, is an anomaly" {
              let events, ending = convert exceptionManifest [ [ RUnwind(1, boom) ] ] 0
              Expect.equal ending.Anomalies 1 "counted"
              Expect.isTrue ending.Balanced "still balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let events, ending = convert exceptionManifest [ [ REnter 2; RAt 0; RUnwind(1, boom); RReturn ] ] 0
              Expect.equal ending.Anomalies 1 "counted"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
          }

          test "an exception text without a type registers the type Exception" {
              let events = runExceptions ([ REnter 0 ] @ exStep 1 1 @ [ REnter 2; RUnwind(1, "odd text") ] @ exStep 3 2 @ [ RReturn ])
              Expect.contains (shape events) "return <unwind> odd text" "the text as is"
              let errorType = events |> List.tryPick (function Type(kind, name, _) when kind = TypeKind.Error -> Some name | _ -> None)
              Expect.equal errorType (Some "Exception") "Exception"
          } ]

// State machines: Demo.Ex.Middle() (method 1) as an async or iterator MoveNext, its return chosen at run time.

let private resumedManifest =
    { exceptionManifest with
        Methods =
            exceptionManifest.Methods
            |> Array.mapi (fun i m ->
                if i = 1 then { m with Return = { slot "<return_value>" "object" with Capture = Resumed }; IsVoid = false } else m) }

let private resumedTests =
    testList
        "state machines"
        [ test "a resumed method returns Raw <await> for marker 0, Raw <completed> for 1, a yielded value as itself" {
              let resume marker = [ REnter 1 ] @ exStep 5 1 @ [ RReturn; RValue marker ]
              let events, ending =
                  convert resumedManifest
                      [ [ REnter 0 ] @ exStep 1 1 @ resume (RInt 0L) @ resume (RBoxed("System.Int32", RInt 9L)) @ resume (RInt 1L) @ [ RReturn ] ] 0
              Expect.equal ending.Anomalies 0 "no anomaly"
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
              let returns = events |> List.choose (function Return v -> Some v | _ -> None) |> List.take 3
              let shown = returns |> List.map (function Raw(text, _) -> "Raw " + text | v -> show v)
              Expect.equal shown [ "Raw <await>"; "9"; "Raw <completed>" ] "suspension, yield, completion"
          } ]

let private generatorTests =
    testList
        "generators"
        [ test "runs nest calls, loop back, write output and return values" {
              let samples = Gen.sampleWithSize 30 300 Gens.run
              let depthOf (run: GeneratedRun) =
                  run.Records
                  |> List.fold (fun (d, m) r -> match r with REnter _ -> d + 1, max m (d + 1) | RReturn -> d - 1, m | _ -> d, m) (0, 0)
                  |> snd
              Expect.isGreaterThanOrEqual (samples |> Array.map depthOf |> Array.max) 3 "nested calls"
              Expect.isTrue (samples |> Array.exists (fun r -> r.Records |> List.exists (function RWrite _ -> true | _ -> false))) "output"
              Expect.isTrue (samples |> Array.exists (fun r -> r.Calls |> List.exists (fun c -> c.Result.IsSome))) "int returns"
              Expect.isTrue (samples |> Array.exists (fun r -> r.Manifest.Paths.Length = 2)) "two paths"
              let unwinds (run: GeneratedRun) = run.Records |> List.filter (function RUnwind _ -> true | _ -> false) |> List.length
              let throws (run: GeneratedRun) = run.Records |> List.choose (function RUnwind(s, _) -> Some s | _ -> None) |> List.distinct |> List.length
              Expect.isTrue (samples |> Array.exists (fun r -> unwinds r > throws r)) "an exception unwinding several frames"
              Expect.isTrue (samples |> Array.exists (fun r -> throws r >= 2)) "several exceptions in a run"
              let calls = samples |> Array.sumBy (fun r -> r.Calls.Length)
              Expect.isLessThan calls 20000 "runs stay small"
          } ]

// ---------------------------------------------------------------------------
let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig config "(a) the events obey the loader's rules"
          <| Prop.forAll (Arb.fromGen runAndBatches) (fun (run, batches) ->
              let events, _ = convert run.Manifest batches 0
              Expect.isEmpty (loaderProblems (Some 0) events) "loader rules")

          testPropertyWithConfig config "(b) one Call per Enter after <toplevel>, with the generated args and return values"
          <| Prop.forAll (Arb.fromGen runAndExit) (fun (run, exitCode) ->
              let events, ending = convert run.Manifest [ run.Records ] exitCode
              Expect.equal ending.Anomalies 0 "no anomaly"
              Expect.isTrue ending.Balanced "balanced"
              let names = events |> List.choose (function VariableName n -> Some n | _ -> None) |> Array.ofList
              let calls = events |> List.choose (function Call(f, args) -> Some(f, args) | _ -> None)
              Expect.equal calls.Length (run.Calls.Length + 1) "Call count"
              Expect.equal (fst calls.Head) 0 "<toplevel> first"
              let shownCalls = calls.Tail |> List.map (fun (f, args) -> f, args |> List.map (fun (v, x) -> names.[v], show x))
              let expectedCalls =
                  run.Calls
                  |> List.map (fun c ->
                      c.Method + 1, List.map2 (fun (s: VariableSlot) a -> s.Name, showRaw a) (List.ofArray run.Manifest.Methods.[c.Method].Args) c.Args)
              Expect.equal shownCalls expectedCalls "functions and args"
              // Returns, matched to their Calls through a stack of call indices.
              let mutable stack = []
              let mutable next = 0
              let returned = ResizeArray()
              for e in events do
                  match e with
                  | Call _ ->
                      stack <- next :: stack
                      next <- next + 1
                  | Return v ->
                      returned.Add((List.head stack, show v))
                      stack <- List.tail stack
                  | _ -> ()
              let expectedReturns =
                  run.Calls
                  |> List.mapi (fun i c ->
                      i + 1,
                      match c.Unwound, c.Result with
                      | Some text, _ -> "<unwind> " + text
                      | None, Some r -> showRaw r
                      | None, None -> "null")
              Expect.equal (returned |> Seq.filter (fun (k, _) -> k > 0) |> Seq.sortBy fst |> List.ofSeq) expectedReturns "return values"
              Expect.equal (List.ofSeq returned |> List.last) (0, string exitCode) "<toplevel> returns the exit code")

          testPropertyWithConfig config "(c) batching does not matter"
          <| Prop.forAll (Arb.fromGen runAndBatches) (fun (run, batches) ->
              let one, endOne = convert run.Manifest [ run.Records ] 3
              let many, endMany = convert run.Manifest batches 3
              Expect.equal many one "events"
              Expect.equal (endMany.Balanced, endMany.Anomalies) (endOne.Balanced, endOne.Anomalies) "ending")

          testPropertyWithConfig config "(d) a run cut short still defines before use and never returns too often"
          <| Prop.forAll (Arb.fromGen runAndCut) (fun (run, k) ->
              let records = List.truncate k run.Records
              let events, ending = convert run.Manifest [ records ] 0
              Expect.isEmpty (loaderProblems None events) "loader rules, open calls allowed"
              let enters = records |> List.filter (function REnter _ -> true | _ -> false) |> List.length
              let returns = records |> List.filter (function RReturn | RUnwind _ -> true | _ -> false) |> List.length
              if enters > returns then Expect.isFalse ending.Balanced (sprintf "%d call(s) left open" (enters - returns))
              if k = run.Records.Length then Expect.isTrue ending.Balanced "the whole run is balanced")

          testPropertyWithConfig config "(e) exceptions: one Error event per throw, then an <unwind> Return per unwound frame"
          <| Prop.forAll (Arb.fromGen runAndBatches) (fun (run, batches) ->
              let events, ending = convert run.Manifest batches 0
              Expect.equal ending.Anomalies 0 "no anomaly"
              Expect.isTrue ending.Balanced "balanced"
              let throws = run.Records |> List.choose (function RUnwind(s, t) -> Some(s, t) | _ -> None) |> List.distinctBy fst
              let nonRegistration = events |> List.filter (not << TraceValidation.isRegistration) |> Array.ofList
              let errors = nonRegistration |> Array.indexed |> Array.choose (function i, IoEvent(k, _, text) when k = EventKind.Error -> Some(i, text) | _ -> None)
              Expect.equal (errors |> Array.map snd |> List.ofArray) (List.map snd throws) "one Error event per throw, in order"
              for i, text in errors do
                  match nonRegistration.[i + 1], nonRegistration.[i + 2] with
                  | Value(_, ValueRecord.Error(m, _)), Return(ValueRecord.Error(r, _)) when m = "<unwind> " + text && r = m -> ()
                  | a, b -> failtestf "Error event %s followed by %A, %A" text a b
              let unwound = events |> List.choose (function Return(ValueRecord.Error(m, _)) -> Some m | _ -> None)
              Expect.equal unwound (run.Records |> List.choose (function RUnwind(_, t) -> Some("<unwind> " + t) | _ -> None)) "one <unwind> Return per Unwind")

          testPropertyWithConfig config "(f) every step shows in a frame of its own method (filter steps wait for their frame)"
          <| Prop.forAll (Arb.fromGen runAndBatches) (fun (run, batches) ->
              let events, _ = convert run.Manifest batches 0
              let nonRegistration = events |> List.filter (not << TraceValidation.isRegistration)
              let sitesOf (m: int) =
                  run.Manifest.Sites |> Array.filter (fun s -> s.MethodId = m) |> Array.map (fun s -> s.PathId, s.Line) |> Set.ofArray
              let mutable stack: int list = []
              for e, next in List.pairwise (nonRegistration @ [ DropLastStep ]) do
                  match e, next with
                  | Call(f, _), _ -> stack <- (f - 1) :: stack
                  | Return _, _ -> stack <- List.tail stack
                  | Step _, Call _ -> () // an entry step, in the caller
                  | Step(p, line), _ ->
                      match stack with
                      | m :: _ when m >= 0 -> Expect.isTrue ((sitesOf m).Contains((p, line))) (sprintf "step %d:%d in a frame of method %d" p line m)
                      | _ -> ()
                  | _ -> ())

          testPropertyWithConfig { config with maxTest = 25 } "every converted run passes ct-validate.py"
          <| Prop.forAll (Arb.fromGen runAndExit) (fun (run, exitCode) ->
              let events, _ = convert run.Manifest [ run.Records ] exitCode
              let code, output = validate events
              Expect.equal code 0 output) ]

// ---------------------------------------------------------------------------
// Endings: Environment.Exit inside calls, a last test that failed.

let private returnsOf (events: TraceEvent list) =
    events |> List.choose (function Return v -> Some(plain v) | _ -> None)

let private endingTests =
    let manifest = exceptionManifest
    testList
        "endings"
        [ test "Environment.Exit inside calls: every open call of every thread returns <exit n>, <toplevel> returns n" {
              // Thread 1: Catch -> Middle, then exits; thread 2 is in Catch, waiting.
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 0 ] @ exStep 1 7 ]
                    1L, [ [ REnter 1 ] @ exStep 5 2 ]
                    // The exit handlers run on a thread of their own.
                    9L, [ [ RExit ] ] ]
              let events, ending = convertThreads manifest chunks 3
              Expect.isTrue ending.Balanced "balanced"
              Expect.isTrue ending.CleanExit "the exit handlers ran"
              Expect.isEmpty (loaderProblems (Some 3) events) "loader rules, <toplevel> returns 3"
              let problems, views = threadView events
              Expect.isEmpty problems (String.concat "; " problems)
              // Thread 2's Catch went on top of thread 1's waiting one; thread 1's later events
              // left it (a switch) and the closing re-entered it.
              Expect.equal (returnsOf events |> List.filter ((<>) "Raw <thread switch>")) [ "Raw <exit 3>"; "Raw <exit 3>"; "Raw <exit 3>"; "3" ] "Middle, Catch (thread 1), Catch (thread 2), <toplevel>"
              Expect.equal (views.[1L] |> List.filter (fun s -> s.StartsWith "Return")) [ "Return Raw <exit 3>"; "Return Raw <exit 3>" ] "thread 1's calls"
              Expect.equal (views.[2L] |> List.filter (fun s -> s.StartsWith "Return")) [ "Return Raw <exit 3>" ] "thread 2's waiting call too"
              let code, output = validate events
              Expect.equal code 0 output
          }
          test "Environment.Exit inside calls left for another thread: they are re-entered and return <exit n>" {
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 0 ] @ exStep 1 7 ]
                    1L, [ exStep 2 2 ]
                    2L, [ exStep 2 8 ]
                    9L, [ [ RExit ] ] ]
              let events, ending = convertThreadsWith 0 manifest chunks 3
              Expect.isTrue ending.Balanced "balanced"
              Expect.isEmpty (loaderProblems (Some 3) events) "loader rules"
              let problems, views = threadView events
              Expect.isEmpty problems (String.concat "; " problems)
              for tid in [ 1L; 2L ] do
                  Expect.equal (views.[tid] |> List.filter (fun s -> s.StartsWith "Return")) [ "Return Raw <exit 3>" ] (sprintf "thread %d's call" tid)
          }
          test "the exit handlers after the first thread's calls returned, or after a fault: nothing is closed" {
              let returned, ending = convert manifest [ [ REnter 0 ] @ exStep 1 1 @ [ RReturn; RExit ] ] 0
              Expect.isTrue ending.Balanced "balanced"
              Expect.equal (returnsOf returned) [ "null"; "0" ] "Catch returns, then <toplevel> 0"
              // Main returned; a background thread was still in its call when the process ended.
              let chunks = [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]; 2L, [ [ REnter 0 ] @ exStep 1 2 ]; 1L, [ [ RReturn ] ]; 3L, [ [ RExit ] ] ]
              let background, ending = convertThreads manifest chunks 0
              Expect.isFalse ending.Balanced "the background thread's call stays open"
              Expect.equal (returnsOf background) [ "null" ] "only Main's call returned"
              let faulted, ending = convert manifest [ [ REnter 0 ] @ exStep 1 1 @ [ RFault boom; RExit ] ] 134
              Expect.isFalse ending.Balanced "the calls the program died in stay open"
              Expect.equal (returnsOf faulted) [] "no return"
          }
          test "a run whose last call failed ends on a step of <toplevel>, not on the Error event" {
              let failed, _ = convert manifest [ [ REnter 2 ] @ exStep 7 1 @ exStep 8 2 @ [ RUnwind(1, boom) ] ] 1
              let tail = failed |> List.skip (failed |> List.findIndexBack (function IoEvent _ -> true | _ -> false))
              Expect.equal (tail |> List.choose (function Step(p, l) -> Some(p, l) | _ -> None)) [ 0, 1 ] "<toplevel>'s step after the Error event"
              Expect.isEmpty (loaderProblems (Some 1) failed) "loader rules"
              let passed, _ = convert manifest [ [ REnter 2 ] @ exStep 7 1 @ [ RReturn ] ] 0
              Expect.equal (passed |> List.filter (fun e -> e = Step(0, 1)) |> List.length) 1 "no step added when the last call returned: only <toplevel>'s first"
          }
          test "print --calls: each thread's calls under its heading, a re-entered call once with its real return" {
              let chunks =
                  [ 1L, [ [ REnter 0 ] @ exStep 1 1 ]
                    2L, [ [ REnter 1 ] @ exStep 5 2 ]
                    1L, [ exStep 2 3 @ [ RReturn ] ]
                    2L, [ exStep 6 4 @ [ RReturn; RValue(RInt 5L) ] ] ]
              let events, ending = convertThreadsWith 0 manifest chunks 0
              Expect.isGreaterThan ending.Reentries 0L "a call re-entered"
              let lines = TraceSummary.renderCalls (TraceSummary.callTree 10 20 events)
              Expect.equal lines [ "<toplevel> → 0"; "  thread 1"; "    Demo.Ex.Catch() → null"; "  thread 2"; "    Demo.Ex.Middle() → 5" ] "per thread"
              let alone, _ = convert manifest [ [ REnter 0 ] @ exStep 1 1 @ [ RReturn ] ] 0
              Expect.equal (TraceSummary.renderCalls (TraceSummary.callTree 10 20 alone)) [ "<toplevel> → 0"; "  Demo.Ex.Catch() → null" ] "one thread: no heading"
          } ]

let tests = testList "Trace.Conversion" [ exampleTests; exceptionTests; resumedTests; generatorTests; endingTests; propertyTests ]
