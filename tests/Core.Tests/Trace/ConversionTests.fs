module CodeTracer.Core.Tests.ConversionTests

open System
open System.Diagnostics
open System.Text.Json
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording
open CodeTracer.Core.Trace

let private threadId = 1L

/// A conversion: `start`, one `feed` per batch, `finish`; all events in order.
let private convert (manifest: Manifest) (batches: RawRecord list list) (exitCode: int) : TraceEvent list * ConversionEnd =
    let state, header = Conversion.start manifest
    let events = ResizeArray header
    let mutable state = state
    for batch in batches do
        let state', evs = Conversion.feed state threadId batch
        state <- state'
        events.AddRange evs
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

let private isRegistration (e: TraceEvent) =
    match e with
    | Path _
    | Function _
    | Type _
    | VariableName _ -> true
    | _ -> false

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
        if not (isRegistration e) && lastNonRegistration.IsNone then
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
                    | Some(Value(var, v)) when var >= 0 && var < variables.Count && variables.[var] = Conversion.ReturnValueName && v = value -> ()
                    | other -> add i (sprintf "Return %s is preceded by %A, not by its <return_value>" (show value) other)
                depth <- depth - 1
        | IoEvent _
        | ThreadStart _
        | ThreadSwitch _
        | ThreadExit _
        | DropLastStep -> ()
        if not (isRegistration e) then lastNonRegistration <- Some e)
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
// The validator of shared/tools, run on a folder.

/// The repository root: the folder holding CodeTracer.sln above the test binary.
let private repositoryRoot =
    lazy
        (let rec up (dir: IO.DirectoryInfo | null) =
            match dir with
            | null -> failwith "CodeTracer.sln not found above the test binary"
            | d when IO.File.Exists(IO.Path.Combine(d.FullName, "CodeTracer.sln")) -> d.FullName
            | d -> up d.Parent
         up (IO.DirectoryInfo AppContext.BaseDirectory))

let private validate (folder: string) : int * string =
    let script = IO.Path.GetFullPath(IO.Path.Combine(repositoryRoot.Force(), "..", "shared", "tools", "ct-validate.py"))
    let psi = ProcessStartInfo("python3", [| script; folder |])
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    use p =
        match Process.Start psi with
        | null -> failwith "python3 did not start"
        | p -> p
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEnd()
    p.WaitForExit()
    p.ExitCode, out.Result + err

let private writeFolder (folder: string) (events: TraceEvent list) =
    IO.File.WriteAllText(IO.Path.Combine(folder, "trace.json"), Json.encodeTrace events)
    let paths = events |> List.choose (function Path p -> Some p | _ -> None)
    IO.File.WriteAllText(IO.Path.Combine(folder, "trace_paths.json"), JsonSerializer.Serialize(paths))
    let metadata =
        dict
            [ "recording_id", box (Guid.NewGuid().ToString("D").ToLowerInvariant())
              "program", box "/home/user/demo/bin/Demo.dll"
              "args", box (Array.empty<string>)
              "workdir", box "/home/user/demo" ]
    IO.File.WriteAllText(IO.Path.Combine(folder, "trace_metadata.json"), JsonSerializer.Serialize(metadata))

// ---------------------------------------------------------------------------
// Examples: one method `Run(int n)` on lines 10-12; two sequence points on line 11.

let private slot name typeName = { Name = name; TypeName = typeName; Shape = Plain; Capture = Read }

let private loopManifest =
    let site line = { MethodId = 0; PathId = 0; Line = line; Variables = [| slot "n" "int"; slot "i" "int" |] }
    { Paths = [| "/home/user/demo/Loop.cs" |]
      Methods =
        [| { Name = "Demo.Loop.Run(int)"; PathId = 0; Line = 10; Args = [| slot "n" "int" |]; Return = Manifest.voidReturn; IsVoid = true } |]
      Sites = [| site 10; site 11; site 11; site 12 |] }

/// `Step site` with n = 3 and the given i.
let private stepWith (site: int) (i: int) = [ RStep site; RValue(RInt 3L); RValue(RInt(int64 i)) ]

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
              let calls = samples |> Array.sumBy (fun r -> r.Calls.Length)
              Expect.isLessThan calls 20000 "runs stay small"
          } ]

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
                  run.Calls |> List.mapi (fun i c -> i + 1, (match c.Result with Some r -> showRaw r | None -> "null"))
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
              let returns = records |> List.filter (function RReturn -> true | _ -> false) |> List.length
              if enters > returns then Expect.isFalse ending.Balanced (sprintf "%d call(s) left open" (enters - returns))
              if k = run.Records.Length then Expect.isTrue ending.Balanced "the whole run is balanced")

          testPropertyWithConfig { config with maxTest = 25 } "every converted run passes ct-validate.py"
          <| Prop.forAll (Arb.fromGen runAndExit) (fun (run, exitCode) ->
              let events, _ = convert run.Manifest [ run.Records ] exitCode
              let folder = IO.Path.Combine(IO.Path.GetTempPath(), "ct-conversion-" + Guid.NewGuid().ToString("N"))
              IO.Directory.CreateDirectory folder |> ignore
              try
                  writeFolder folder events
                  let code, output = validate folder
                  Expect.equal code 0 output
              finally
                  IO.Directory.Delete(folder, true)) ]

let tests = testList "Trace.Conversion" [ exampleTests; generatorTests; propertyTests ]
