/// What the conversion tests share: running a conversion, showing its events, the loader's
/// rules as a checker, generated runs cut into batches, two small manifests (a loop, nested
/// calls that throw) and generated runs of several threads.
module CodeTracer.Core.Tests.ConversionFixtures

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

let threadId = 1L

/// A conversion: `start`, one `feed` per batch, `finish`; all events in order.
let convert (manifest: Manifest) (batches: RawRecord list list) (exitCode: int) : TraceEvent list * ConversionEnd =
    let state, header = ConversionStart.start manifest
    let events = ResizeArray header
    for batch in batches do
        Conversion.feed state threadId batch events
    let ending = Conversion.finish state exitCode
    events.AddRange ending.Events
    List.ofSeq events, ending

/// Short text of a value, to compare with the generated raw values.
let show (v: ValueRecord) : string =
    match v with
    | ValueRecord.Int(i, _) -> string i
    | ValueRecord.Bool(b, _) -> if b then "true" else "false"
    | ValueRecord.String(s, _) -> "\"" + s + "\""
    | NoneValue _ -> "null"
    | ValueRecord.Error(m, _) -> m
    | other -> sprintf "%A" other

/// How a raw value of a declared int/bool/string should show.
let showRaw (r: RawValue) : string =
    match r with
    | RInt i -> string i
    | RBool b -> if b then "true" else "false"
    | RString(text, full) when full > text.Length -> sprintf "\"%s…<%d more chars>\"" text (full - text.Length)
    | RString(text, _) -> "\"" + text + "\""
    | RNull -> "null"
    | other -> sprintf "%A" other

/// Violations of the loader's rules (shared/spec/trace-format.md). With `exitCode`
/// the trace must also be balanced and end with `<toplevel>` returning it.
let loaderProblems (exitCode: int option) (events: TraceEvent list) : string list =
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
let batchesOf (records: RawRecord list) : Gen<RawRecord list list> =
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

let runAndBatches : Gen<GeneratedRun * RawRecord list list> =
    Gens.run |> Gen.bind (fun run -> batchesOf run.Records |> Gen.map (fun b -> run, b))

let runAndCut : Gen<GeneratedRun * int> =
    Gens.run |> Gen.bind (fun run -> Gen.choose (0, run.Records.Length) |> Gen.map (fun k -> run, k))

let runAndExit : Gen<GeneratedRun * int> = Gen.zip Gens.run Gens.anyInt

let config = Generators.config

// ---------------------------------------------------------------------------
// The validators: the core's, and the one of shared/tools run on a folder when it is there.

/// The verdict on the trace folder of these events (minimal metadata): the core's
/// validator, then ct-validate.py's when present (exit code 0 when both accept).
let validate (events: TraceEvent list) : int * string =
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
let slot name typeName =
    { Name = name; TypeName = typeName; Shape = Plain; Capture = Read
      Frame = (match name with "n" | "x" -> 0 | "i" -> 1 | _ -> -1) }

let loopManifest =
    let site line = { MethodId = 0; PathId = 0; Line = line; Variables = [| slot "n" "int"; slot "i" "int" |] }
    { Paths = [| "/home/user/demo/Loop.cs" |]
      Methods =
        [| { Name = "Demo.Loop.Run(int)"; PathId = 0; Line = 10; Args = [| slot "n" "int" |]; Return = Manifest.voidReturn; IsVoid = true } |]
      Sites = [| site 10; site 11; site 11; site 12 |] }

/// `Step site` with n = 3 and the given i.
let stepWith (site: int) (i: int) = [ RAt 0; RValue(RInt 3L); RAt 1; RValue(RInt(int64 i)); RStep site ]

/// The events of a `Run(3)` whose body is `body`.
let runLoop (body: RawRecord list) : TraceEvent list =
    let records = [ REnter 0; RValue(RInt 3L) ] @ body @ [ RReturn ]
    let events, ending = convert loopManifest [ records ] 0
    Expect.equal ending.Anomalies 0 "no anomaly"
    Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
    events

/// The steps after the call of Run, each with the shown value of `i`.
let stepsAfterCall (events: TraceEvent list) : (int * string list) list =
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


// ---------------------------------------------------------------------------
// Exceptions: Catch() (lines 10-13) calls Middle() (20-22), which calls Throw() (30-31).

let exceptionManifest =
    let site m line = { MethodId = m; PathId = 0; Line = line; Variables = [| slot "x" "int" |] }
    let meth name line isVoid =
        { Name = name; PathId = 0; Line = line; Args = [||]
          Return = (if isVoid then Manifest.voidReturn else slot "<return_value>" "int"); IsVoid = isVoid }
    { Paths = [| "/home/user/demo/Ex.cs" |]
      Methods = [| meth "Demo.Ex.Catch()" 10 true; meth "Demo.Ex.Middle()" 20 false; meth "Demo.Ex.Throw()" 30 true |]
      // sites: 0-3 Catch (10 entry, 11 try, 12 when, 13 handler), 4-6 Middle (20, 21 call, 22 finally), 7-8 Throw (30, 31 throw)
      Sites = [| site 0 10; site 0 11; site 0 12; site 0 13; site 1 20; site 1 21; site 1 22; site 2 30; site 2 31 |] }

let exStep (site: int) (x: int) = [ RAt 0; RValue(RInt(int64 x)); RStep site ]

let boom = "System.InvalidOperationException: boom"

/// Converts one run of `exceptionManifest` and checks the loader's rules and balance.
let runExceptions (records: RawRecord list) : TraceEvent list =
    let events, ending = convert exceptionManifest [ records ] 0
    Expect.equal ending.Anomalies 0 "no anomaly"
    Expect.isTrue ending.Balanced "balanced"
    Expect.isEmpty (loaderProblems (Some 0) events) "loader rules"
    events

/// Steps (line, x), Error events, Calls and Returns after <toplevel>'s step: the shape of a trace.
let shape (events: TraceEvent list) : string list =
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

// Threads: chunks of several threads interleaved in the log.

/// A value without its type id (ids of types first seen at run time depend on the interleaving).
let plain (v: ValueRecord) : string =
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
let threadView (events: TraceEvent list) : string list * Map<int64, string list> =
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
let threadedRuns : Gen<Manifest * (int64 * RawRecord list) list * (int64 * RawRecord list list) list> =
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
let convertThreadsWith (holdLimit: int) (manifest: Manifest) (chunks: (int64 * RawRecord list list) list) (exitCode: int) =
    let state, header = ConversionStart.startWith holdLimit manifest
    let events = ResizeArray header
    for tid, batches in chunks do
        for batch in batches do
            Conversion.feed state tid batch events
    let ending = Conversion.finish state exitCode
    events.AddRange ending.Events
    List.ofSeq events, ending

let convertThreads = convertThreadsWith ThreadLayout.DefaultHoldLimit

let isCall e = match e with Call _ -> true | _ -> false
let isSwitch e = match e with Return(Raw(t, _)) -> t = Markers.SwitchTypeName | _ -> false

