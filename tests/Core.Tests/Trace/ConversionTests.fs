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

let private threadId = 1L

/// A conversion: `start`, one `feed` per batch, `finish`; all events in order.
let private convert (manifest: Manifest) (batches: RawRecord list list) (exitCode: int) : TraceEvent list * ConversionEnd =
    let state, header = ConversionStart.start manifest
    let events = ResizeArray header
    for batch in batches do
        Conversion.feed state threadId batch events
    let ending = Conversion.finish state exitCode
    events.AddRange ending.Events
    List.ofSeq events, ending

/// Short text of a value, to compare with the generated raw values.
let private show (v: ValueRecord) : string =
    match v with
    | ValueRecord.Int(i, _) -> string i
    | ValueRecord.Bool(b, _) -> if b then "true" else "false"
    | ValueRecord.String(s, _) -> "\"" + s + "\""
    | NoneValue _ -> "null"
    | ValueRecord.Error(m, _) -> m
    | other -> sprintf "%A" other

/// How a raw value of a declared int/bool/string should show.
let private showRaw (r: RawValue) : string =
    match r with
    | RInt i -> string i
    | RBool b -> if b then "true" else "false"
    | RString(text, full) when full > text.Length -> sprintf "\"%s…<%d more chars>\"" text (full - text.Length)
    | RString(text, _) -> "\"" + text + "\""
    | RNull -> "null"
    | other -> sprintf "%A" other

/// Violations of the loader's rules (shared/spec/trace-format.md). With `exitCode`
/// the trace must also be balanced and end with `<toplevel>` returning it.
let private loaderProblems (exitCode: int option) (events: TraceEvent list) : string list =
    let problems = ResizeArray<string>()
    let mutable paths = 0
    let functions = ResizeArray<int * int>()
    let typeKinds = ResizeArray<int>()
    let variables = ResizeArray<string>()
    let mutable calls = 0
    let mutable depth = 0
    let mutable lastNonRegistration: TraceEvent option = None
    let add i (msg: string) = problems.Add(sprintf "event #%d: %s" i msg)
    let rec checkValue i (v: ValueRecord) =
        let typeId, kind, children =
            match v with
            | ValueRecord.Int(_, t) -> t, Some TypeKind.Int, []
            | ValueRecord.Bool(_, t) -> t, Some TypeKind.Bool, []
            | ValueRecord.String(_, t) -> t, Some TypeKind.String, []
            | BigInt(_, _, t)
            | Float(_, t)
            | ValueRecord.Char(_, t)
            | Raw(_, t)
            | Error(_, t)
            | NoneValue t -> t, None, []
            | Sequence(es, _, t)
            | Tuple(es, t)
            | Struct(es, t) -> t, None, es
            | Variant(_, c, t) -> t, None, [ c ]
        if typeId < 0 || typeId >= typeKinds.Count then add i (sprintf "type id %d used with %d types defined" typeId typeKinds.Count)
        else
            match kind with
            | Some k when typeKinds.[typeId] <> k -> add i (sprintf "%s has type %d of kind %d" (show v) typeId typeKinds.[typeId])
            | _ -> ()
        List.iter (checkValue i) children
    let checkVariable i (id: int) =
        if id < 0 || id >= variables.Count then add i (sprintf "variable id %d used with %d names defined" id variables.Count)
    let checkPath i (id: int) =
        if id < 0 || id >= paths then add i (sprintf "path id %d used with %d paths defined" id paths)
    events
    |> List.iteri (fun i e ->
        if not (TraceValidation.isRegistration e) && lastNonRegistration.IsNone then
            match e with
            | Call _ -> ()
            | other -> add i (sprintf "the first event after the registrations is %A, not a Call" other)
        match e with
        | Path _ -> paths <- paths + 1
        | Function(p, line, _) ->
            checkPath i p
            functions.Add((p, line))
        | Type(kind, name, _) ->
            if typeKinds.Count = 0 && (kind <> TypeKind.None || name <> "None") then add i "type 0 is not None"
            typeKinds.Add kind
        | VariableName name -> variables.Add name
        | Call(f, args) ->
            if f < 0 || f >= functions.Count then add i (sprintf "function id %d used with %d functions defined" f functions.Count)
            elif calls > 0 then
                match lastNonRegistration with
                | Some(Step(p, line)) when (p, line) = functions.[f] -> ()
                | other -> add i (sprintf "Call of function %d %A is preceded by %A, not by a Step there" f functions.[f] other)
            for (var, value) in args do
                checkVariable i var
                checkValue i value
            calls <- calls + 1
            depth <- depth + 1
        | Step(p, line) ->
            checkPath i p
            if line < 1 then add i "line < 1"
        | Value(var, value) ->
            checkVariable i var
            checkValue i value
        | Return value ->
            checkValue i value
            if depth = 0 then add i "a Return with no open Call"
            else
                // Every method's Return (all but <toplevel>'s) shows its value as `<return_value>` first.
                if depth > 1 then
                    match lastNonRegistration with
                    | Some(Value(var, v)) when var >= 0 && var < variables.Count && variables.[var] = Markers.ReturnValueName && v = value -> ()
                    | other -> add i (sprintf "Return %s is preceded by %A, not by its <return_value>" (show value) other)
                depth <- depth - 1
        | IoEvent _
        | ThreadStart _
        | ThreadSwitch _
        | ThreadExit _
        | DropLastStep -> ()
        if not (TraceValidation.isRegistration e) then lastNonRegistration <- Some e)
    if calls = 0 then problems.Add "no Call at all"
    match exitCode with
    | None -> ()
    | Some code ->
        if depth <> 0 then problems.Add(sprintf "%d call(s) left open" depth)
        match List.tryLast events with
        | Some(Return(ValueRecord.Int(i, _))) when i = int64 code -> ()
        | other -> problems.Add(sprintf "the last event is %A, not <toplevel> returning %d" other code)
    List.ofSeq problems

/// The records cut into consecutive batches of random sizes (empty ones included).
let private batchesOf (records: RawRecord list) : Gen<RawRecord list list> =
    let rec go (rest: RawRecord list) =
        gen {
            if List.isEmpty rest then return []
            else
                let! n = Gen.frequency [ 1, Gen.constant 0; 4, Gen.choose (1, 4); 1, Gen.choose (5, 40) ]
                let n = min n rest.Length
                let! tail = go (List.skip n rest)
                return List.take n rest :: tail
        }
    go records

let private runAndBatches : Gen<GeneratedRun * RawRecord list list> =
    Gens.run |> Gen.bind (fun run -> batchesOf run.Records |> Gen.map (fun b -> run, b))

let private runAndCut : Gen<GeneratedRun * int> =
    Gens.run |> Gen.bind (fun run -> Gen.choose (0, run.Records.Length) |> Gen.map (fun k -> run, k))

let private runAndExit : Gen<GeneratedRun * int> = Gen.zip Gens.run Gens.anyInt

let private config = Generators.config

// ---------------------------------------------------------------------------
// The validators: the core's, and the one of shared/tools run on a folder when it is there.

/// The verdict on the trace folder of these events (minimal metadata): the core's
/// validator, then ct-validate.py's when present (exit code 0 when both accept).
let private validate (events: TraceEvent list) : int * string =
    let paths = events |> List.choose (function Path p -> Some p | _ -> None)
    let metadata =
        dict
            [ "recording_id", box (Guid.NewGuid().ToString("D").ToLowerInvariant())
              "program", box "/home/user/demo/bin/Demo.dll"
              "args", box (Array.empty<string>)
              "workdir", box "/home/user/demo" ]
    let files =
        Text.Encoding.UTF8.GetBytes(Json.encodeTrace events),
        JsonSerializer.SerializeToUtf8Bytes(paths),
        JsonSerializer.SerializeToUtf8Bytes(metadata)
    let trace, pathsJson, metadataJson = files
    match TraceValidation.validateFiles false trace pathsJson metadataJson, CtValidate.run [] files with
    | [], Some verdict -> verdict
    | [], None -> 0, "valid"
    | problems, _ -> 1, problems |> List.map TraceProblem.render |> String.concat "\n"

// ---------------------------------------------------------------------------
// Examples: one method `Run(int n)` on lines 10-12; two sequence points on line 11.

/// A read slot; each name has its own place of the frame's memory.
let private slot name typeName =
    { Name = name; TypeName = typeName; Shape = Plain; Capture = Read
      Frame = (match name with "n" | "x" -> 0 | "i" -> 1 | _ -> -1) }

let private loopManifest =
    let site line = { MethodId = 0; PathId = 0; Line = line; Variables = [| slot "n" "int"; slot "i" "int" |] }
    { Paths = [| "/home/user/demo/Loop.cs" |]
      Methods =
        [| { Name = "Demo.Loop.Run(int)"; PathId = 0; Line = 10; Args = [| slot "n" "int" |]; Return = Manifest.voidReturn; IsVoid = true } |]
      Sites = [| site 10; site 11; site 11; site 12 |] }

/// `Step site` with n = 3 and the given i.
let private stepWith (site: int) (i: int) = [ RAt 0; RValue(RInt 3L); RAt 1; RValue(RInt(int64 i)); RStep site ]

/// The events of a `Run(3)` whose body is `body`.
let private runLoop (body: RawRecord list) : TraceEvent list =
    let records = [ REnter 0; RValue(RInt 3L) ] @ body @ [ RReturn ]
    let events, ending = convert loopManifest [ records ] 0
    Expect.equal ending.Anomalies 0 "no anomaly"
    Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
    events

/// The steps after the call of Run, each with the shown value of `i`.
let private stepsAfterCall (events: TraceEvent list) : (int * string list) list =
    let call = events |> List.findIndex (function Call(1, _) -> true | _ -> false)
    let afterCall = events |> List.skip (call + 1)
    let iVar = events |> List.choose (function VariableName n -> Some n | _ -> None) |> List.findIndex ((=) "i")
    let rec go (es: TraceEvent list) (acc: (int * string list) list) =
        match es with
        | Step(_, line) :: rest ->
            let values = rest |> List.takeWhile (function Step _ | Call _ | Return _ -> false | _ -> true)
            let shown = values |> List.choose (function Value(v, x) when v = iVar -> Some(show x) | _ -> None)
            go rest ((line, shown) :: acc)
        | Return _ :: _
        | [] -> List.rev acc
        | _ :: rest -> go rest acc
    go afterCall []

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

// ---------------------------------------------------------------------------
// Exceptions: Catch() (lines 10-13) calls Middle() (20-22), which calls Throw() (30-31).

let private exceptionManifest =
    let site m line = { MethodId = m; PathId = 0; Line = line; Variables = [| slot "x" "int" |] }
    let meth name line isVoid =
        { Name = name; PathId = 0; Line = line; Args = [||]
          Return = (if isVoid then Manifest.voidReturn else slot "<return_value>" "int"); IsVoid = isVoid }
    { Paths = [| "/home/user/demo/Ex.cs" |]
      Methods = [| meth "Demo.Ex.Catch()" 10 true; meth "Demo.Ex.Middle()" 20 false; meth "Demo.Ex.Throw()" 30 true |]
      // sites: 0-3 Catch (10 entry, 11 try, 12 when, 13 handler), 4-6 Middle (20, 21 call, 22 finally), 7-8 Throw (30, 31 throw)
      Sites = [| site 0 10; site 0 11; site 0 12; site 0 13; site 1 20; site 1 21; site 1 22; site 2 30; site 2 31 |] }

let private exStep (site: int) (x: int) = [ RAt 0; RValue(RInt(int64 x)); RStep site ]

let private boom = "System.InvalidOperationException: boom"

/// Converts one run of `exceptionManifest` and checks the loader's rules and balance.
let private runExceptions (records: RawRecord list) : TraceEvent list =
    let events, ending = convert exceptionManifest [ records ] 0
    Expect.equal ending.Anomalies 0 "no anomaly"
    Expect.isTrue ending.Balanced "balanced"
    Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
    events

/// Steps (line, x), Error events, Calls and Returns after <toplevel>'s step: the shape of a trace.
let private shape (events: TraceEvent list) : string list =
    let xVar = events |> List.choose (function VariableName n -> Some n | _ -> None) |> List.findIndex ((=) "x")
    let rec go (es: TraceEvent list) =
        match es with
        | [] -> []
        | Step(_, line) :: rest ->
            let x = rest |> List.takeWhile (function Value _ -> true | _ -> false) |> List.tryPick (function Value(v, ValueRecord.Int(i, _)) when v = xVar -> Some i | _ -> None)
            (match x with Some x -> sprintf "step %d x=%d" line x | None -> sprintf "step %d" line) :: go rest
        | Call(f, _) :: rest -> sprintf "call %d" f :: go rest
        | Return v :: rest -> sprintf "return %s" (show v) :: go rest
        | IoEvent(k, meta, text) :: rest -> sprintf "event %d %s %s" k meta text :: go rest
        | _ :: rest -> go rest
    go (events |> List.skipWhile (function Call(0, _) -> false | _ -> true) |> List.skip 2)

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
// Threads: chunks of several threads interleaved in the log.

/// A value without its type id (ids of types first seen at run time depend on the interleaving).
let private plain (v: ValueRecord) : string =
    match v with
    | Raw(text, _) -> "Raw " + text
    | Float(f, _) -> "Float " + f
    | other -> show other

/// What each thread's events look like to a reader who follows the thread markers, and
/// the loader-consistency problems: the loader's one stack is simulated with each frame's
/// thread (the one whose marker was last); a Return must leave a frame of the running
/// thread, a Step or Call happen on top of the running thread's frames. A thread's own
/// view keeps its Calls (not re-entries), Returns (not `<thread switch>` ones) and Steps
/// (not re-entry or restated steps; repeats of the same step in a row once), values
/// without type ids.
let private threadView (events: TraceEvent list) : string list * Map<int64, string list> =
    let problems = ResizeArray<string>()
    let toplevel = -1L
    let mutable loader: int64 list = []
    let mutable current = toplevel
    let mutable reentries = 0
    // The Step that says again where a thread with open calls is, after its marker.
    let mutable restated = false
    let depth = Collections.Generic.Dictionary<int64, int>()
    let views = Collections.Generic.Dictionary<int64, ResizeArray<string>>()
    let depthOf t = match depth.TryGetValue t with | true, d -> d | _ -> 0
    let view t =
        match views.TryGetValue t with
        | true, v -> v
        | _ ->
            let v = ResizeArray()
            views.[t] <- v
            v
    let add i (msg: string) = problems.Add(sprintf "event #%d: %s" i msg)
    let onTop i what =
        match loader with
        | top :: _ when top = current -> ()
        // A thread without open calls starts its next one on top of whatever is open
        // (that Step is the callee's entry step, moved into it).
        | _ :: _ when depthOf current = 0 -> ()
        | top :: _ -> add i (sprintf "%s of thread %d on top of thread %d's frame" what current top)
        | [] -> add i (sprintf "%s with no open call" what)
    events
    |> List.iteri (fun i e ->
        match e with
        | ThreadStart t
        | ThreadSwitch t ->
            current <- t
            restated <- depthOf t > 0
            let owned = loader |> List.filter ((=) t) |> List.length
            if owned = 0 then reentries <- depthOf t
            else
                reentries <- 0
                if List.head loader <> t then add i (sprintf "thread %d runs below thread %d's frames" t (List.head loader))
                if owned <> depthOf t then add i (sprintf "thread %d has %d of its %d frames on the stack" t owned (depthOf t))
        | Call(f, args) when reentries > 0 ->
            reentries <- reentries - 1
            loader <- current :: loader
        | Call(f, args) ->
            if current <> toplevel then onTop i "a Call"
            loader <- current :: loader
            if current <> toplevel then
                depth.[current] <- depthOf current + 1
                (view current).Add(sprintf "Call %d (%s)" f (args |> List.map (snd >> plain) |> String.concat ", "))
        | Return v ->
            match loader with
            | [] -> add i "a Return with no open call"
            | [ top ] when top = toplevel -> loader <- []
            | top :: rest ->
                if top <> current then add i (sprintf "a Return on thread %d leaves thread %d's frame" current top)
                loader <- rest
                match v with
                | Raw(text, _) when text = Markers.SwitchTypeName -> ()
                | _ ->
                    depth.[current] <- depthOf current - 1
                    (view current).Add("Return " + plain v)
        | Step _ when reentries = 0 && restated ->
            restated <- false
            onTop i "a restated Step"
        | Step(p, line) when reentries = 0 && current <> toplevel ->
            onTop i "a Step"
            let shown = sprintf "Step %d:%d" p line
            let v = view current
            if v.Count = 0 || v.[v.Count - 1] <> shown then v.Add shown
        | _ -> ())
    List.ofSeq problems, views |> Seq.map (fun kv -> kv.Key, List.ofSeq kv.Value) |> Map.ofSeq

/// Several threads' runs of one manifest, each cut into chunks, the chunks interleaved
/// at random (each thread's in order).
let private threadedRuns : Gen<Manifest * (int64 * RawRecord list) list * (int64 * RawRecord list list) list> =
    gen {
        let! manifest = Gens.manifest
        let! count = Gen.choose (2, 4)
        let! runs = Gen.sequenceToList (List.replicate count (Gens.runOf manifest))
        let! chunked = runs |> List.map (fun r -> batchesOf r.Records) |> Gen.sequenceToList
        let threads = List.mapi (fun i (r: GeneratedRun) -> int64 (i + 1) * 7L, r.Records) runs
        let queues = List.mapi (fun i batches -> int64 (i + 1) * 7L, batches) chunked
        let rec interleave (qs: (int64 * RawRecord list list) list) =
            gen {
                let live = qs |> List.filter (fun (_, b) -> not b.IsEmpty)
                if live.IsEmpty then return []
                else
                    let! k = Gen.choose (0, live.Length - 1)
                    let tid, batches = live.[k]
                    let qs' = qs |> List.map (fun (t, b) -> if t = tid then t, List.tail b else t, b)
                    let! rest = interleave qs'
                    return (tid, List.head batches) :: rest
            }
        let! order = interleave queues
        return manifest, threads, [ for tid, chunk in order -> tid, [ chunk ] ]
    }

/// A conversion of chunks of several threads, at most `holdLimit` events waiting.
let private convertThreadsWith (holdLimit: int) (manifest: Manifest) (chunks: (int64 * RawRecord list list) list) (exitCode: int) =
    let state, header = ConversionStart.startWith holdLimit manifest
    let events = ResizeArray header
    for tid, batches in chunks do
        for batch in batches do
            Conversion.feed state tid batch events
    let ending = Conversion.finish state exitCode
    events.AddRange ending.Events
    List.ofSeq events, ending

let private convertThreads = convertThreadsWith ThreadLayout.DefaultHoldLimit

let private isCall e = match e with Call _ -> true | _ -> false
let private isSwitch e = match e with Return(Raw(t, _)) -> t = Markers.SwitchTypeName | _ -> false

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

let tests = testList "Trace.Conversion" [ exampleTests; exceptionTests; resumedTests; generatorTests; threadTests; endingTests; propertyTests ]
