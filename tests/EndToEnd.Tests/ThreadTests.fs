/// Records tests/programs/Threads: a dedicated thread, thread-pool work items,
/// Parallel.For and Task.Run (recorder.md, "Threads": each thread's events exact and
/// in order, the trace balanced for the loader, ThreadStart/ThreadSwitch markers).
module CodeTracer.EndToEnd.Tests.ThreadTests

open System.Collections.Generic
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recording = lazy (Cli.record "Threads" [])

/// The recording, checked: exit code 0, valid and balanced for ct-validate (no --partial).
let private recorded =
    lazy
        (let run, folder = recording.Value
         Expect.equal run.ExitCode 0 (sprintf "codetracer record Threads: %s" run.Stderr)
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "ct-validate: %s" output)
         run, load folder)

let private line marker = Repo.lineOf "Threads" marker

/// A call as the thread that made it sees it (a frame re-entered after a thread
/// switch is not a new call; a `<thread switch>` return does not end it).
type private ThreadCall = { Thread: int64; Function: string; Args: (string * string) list; mutable Returned: string option }

type private ThreadsView =
    { Problems: string list
      Started: int64 list
      Calls: ThreadCall list
      Switched: int }

/// Follows the thread markers over the raw events with the loader's one call stack,
/// each frame tagged with its thread: a Return must leave a frame of the thread whose
/// marker came last; Calls right after a marker for a thread with no frame on the stack
/// re-enter its open calls.
let private threadsOf (t: Trace) : ThreadsView =
    let problems = ResizeArray<string>()
    let functions = ResizeArray<string>()
    let vars = ResizeArray<string>()
    let started = ResizeArray<int64>()
    let calls = ResizeArray<ThreadCall>()
    let own = Dictionary<int64, ThreadCall list>()
    let ownOf tid = match own.TryGetValue tid with | true, s -> s | _ -> []
    let toplevel = -1L
    let mutable loader: int64 list = []
    let mutable current = toplevel
    let mutable reentries = 0
    let mutable switched = 0
    t.Events
    |> List.iteri (fun i e ->
        if e.ValueKind = JsonValueKind.Object then
            let p = e.EnumerateObject() |> Seq.head
            let body = p.Value
            match p.Name with
            | "Function" -> functions.Add(body.GetProperty("name").GetString())
            | "VariableName" -> vars.Add(body.GetString())
            | "ThreadStart"
            | "ThreadSwitch" ->
                current <- body.GetInt64()
                if p.Name = "ThreadStart" then started.Add current
                let owned = loader |> List.filter ((=) current) |> List.length
                reentries <- if owned = 0 then (ownOf current).Length else 0
                if owned > 0 && List.head loader <> current then
                    problems.Add(sprintf "event #%d: thread %d runs below another thread's frames" i current)
            | "Call" when reentries > 0 ->
                reentries <- reentries - 1
                loader <- current :: loader
            | "Call" ->
                let args =
                    [ for a in body.GetProperty("args").EnumerateArray() ->
                          vars.[a.GetProperty("variable_id").GetInt32()], show (a.GetProperty "value") ]
                loader <- current :: loader
                if current <> toplevel then
                    let c = { Thread = current; Function = functions.[body.GetProperty("function_id").GetInt32()]; Args = args; Returned = None }
                    calls.Add c
                    own.[current] <- c :: ownOf current
            | "Return" ->
                let value = show (body.GetProperty "return_value")
                match loader with
                | [] -> problems.Add(sprintf "event #%d: a Return with no open call" i)
                | [ top ] when top = toplevel -> loader <- []
                | top :: rest ->
                    if top <> current then problems.Add(sprintf "event #%d: a Return on thread %d leaves thread %d's frame" i current top)
                    loader <- rest
                    if value = "<thread switch>" then switched <- switched + 1
                    else
                        match ownOf current with
                        | c :: more ->
                            c.Returned <- Some value
                            own.[current] <- more
                        | [] -> problems.Add(sprintf "event #%d: thread %d returns with no call of its own open" i current)
            | _ -> ())
    { Problems = List.ofSeq problems; Started = List.ofSeq started; Calls = List.ofSeq calls; Switched = switched }

let private workers =
    lazy
        (let run, folder = Cli.record "Workers" []
         Expect.equal run.ExitCode 0 (sprintf "codetracer record Workers: %s" run.Stderr)
         Expect.stringContains run.Stdout "sum " "the program ran"
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "validate: %s" output)
         run, folder)

let private nunitParallel =
    lazy
        (let out = System.IO.Path.Combine(Repo.tempFolder (), "trace")
         let run = Cli.codetracer [ "record"; "-o"; out; "--test"; Repo.program "NunitParallel" ]
         Expect.equal run.ExitCode 0 (sprintf "codetracer record --test NunitParallel: %s" run.Stderr)
         let code, output = Cli.validate out []
         Expect.equal code 0 (sprintf "validate: %s" output)
         run, out)

/// Calls per function, as `print --summary` lists them.
let private callsPerFunction (folder: string) : Map<string, int> =
    let printed = Cli.codetracer [ "print"; folder; "--summary"; "--width"; "1000" ]
    Expect.equal printed.ExitCode 0 printed.Stderr
    let row = System.Text.RegularExpressions.Regex(@"^\s+(\d+)  (.+)$")
    printed.Stdout.Split('\n')
    |> Array.skipWhile (fun l -> not (l.StartsWith "calls per function"))
    |> Array.choose (fun l -> let m = row.Match l in if m.Success then Some(m.Groups.[2].Value, int m.Groups.[1].Value) else None)
    |> Map.ofArray

/// The calls counted by `print --summary`, the metadata's counters and the CLI's last line:
/// the same number in the three, returned.
let private countedCalls (run: Cli.Run) (folder: string) : int =
    let printed = Cli.codetracer [ "print"; folder; "--summary" ]
    let summary = System.Text.RegularExpressions.Regex.Match(printed.Stdout, @"(\d+) calls, (\d+) returns")
    Expect.isTrue summary.Success printed.Stdout
    let calls = int summary.Groups.[1].Value
    let meta = JsonDocument.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(folder, "trace_metadata.json"))).RootElement
    Expect.equal (meta.GetProperty("counters").GetProperty("calls").GetInt64()) (int64 calls) "the metadata's counter"
    Expect.stringContains run.Stderr (sprintf ": %d calls of " calls) "the CLI's last line"
    calls

let private worker = "Threads.Program.Worker()"
let private spin = "Threads.Program.Spin(int)"
let private square = "Threads.Program.Square(int)"

/// The values of `name` at the steps of a function on a line, in trace order.
let private loopValues fn marker name (t: Trace) =
    t.Steps |> List.filter (fun s -> s.Function = fn && s.Line = line marker) |> List.choose (fun s -> s.Values.TryFind name)

/// The values of variable `name` at the steps on `line`, per thread (by the markers), in trace order.
let private valuesPerThread (t: Trace) (line: int) (name: string) : Map<int64, string list> =
    let vars = ResizeArray<string>()
    let values = Dictionary<int64, ResizeArray<string>>()
    let mutable current = -1L
    let mutable atLine = false
    for e in t.Events do
        if e.ValueKind = JsonValueKind.Object then
            let p = e.EnumerateObject() |> Seq.head
            match p.Name with
            | "VariableName" -> vars.Add(p.Value.GetString())
            | "ThreadStart" | "ThreadSwitch" -> current <- p.Value.GetInt64()
            | "Step" -> atLine <- p.Value.GetProperty("line").GetInt32() = line
            | "Value" when atLine && vars.[p.Value.GetProperty("variable_id").GetInt32()] = name ->
                if not (values.ContainsKey current) then values.[current] <- ResizeArray()
                values.[current].Add(show (p.Value.GetProperty "value"))
            | _ -> ()
    values |> Seq.map (fun kv -> kv.Key, List.ofSeq kv.Value) |> Map.ofSeq

let tests =
    testList "Threads" [
        test "threads still writing when the program exits: the exit flush keeps each thread's records whole and in order" {
            let out = System.IO.Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.runWithEnv [ "THREADS_BACKGROUND", "1" ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; Repo.program "Threads" ] ""
            Expect.equal run.ExitCode 0 (sprintf "codetracer record: %s" run.Stderr)
            Expect.stringContains run.Stdout "background" "the program ran"
            let code, output = Cli.validate out [ "--partial" ]
            Expect.equal code 0 (sprintf "ct-validate --partial: %s" output)
            let t = load out
            let perThread = valuesPerThread t (line "// forever loop") "n"
            Expect.equal perThread.Count 2 "both background threads recorded their loop"
            for KeyValue(tid, ns) in perThread do
                Expect.isNonEmpty ns (sprintf "thread %d's loop" tid)
                Expect.equal ns [ for n in 0 .. ns.Length - 1 -> string n ] (sprintf "thread %d's n: every value once, in order, up to where the drain cut it" tid)
        }

        test "the recording is valid and balanced, and the program's output is the unrecorded run's" {
            let run, _ = recorded.Value
            let plain = Cli.plain "Threads" []
            Expect.equal plain.ExitCode 0 "the plain run"
            Expect.stringContains plain.Stdout "worker 199990000 main 199990000 pool 0,1,4,9 parallel 4950 task 144" "the plain run's results"
            Expect.equal run.Stdout plain.Stdout "the output is unchanged by recording"
        }

        test "each thread's loop variable takes every value in order" {
            let _, t = recorded.Value
            Expect.equal (loopValues worker "// worker loop" "i" t) [ for i in 0 .. 19999 -> string i ] "the worker thread's i"
            Expect.equal (loopValues spin "// main loop" "j" t) [ for j in 0 .. 19999 -> string j ] "the main thread's j"
        }

        test "every Return leaves a Call of its own thread, every call returns once" {
            let _, t = recorded.Value
            let view = threadsOf t
            Expect.isEmpty view.Problems (String.concat "; " view.Problems)
            let open' = view.Calls |> List.filter (fun c -> c.Returned.IsNone)
            Expect.isEmpty open' (sprintf "calls that never returned: %A" open')
            // The program's calls (and <toplevel>), counted the same way by the summary, the
            // metadata counters and the CLI's last line, re-entries or not.
            let run, _ = recorded.Value
            let folder = snd recording.Value
            Expect.equal (countedCalls run folder) (view.Calls.Length + 1) "the program's calls, counted once"
        }

        test "workers running together: each call counted once, each thread's calls apart in print --calls" {
            let run, folder = workers.Value
            let t = load folder
            let view = threadsOf t
            Expect.isEmpty view.Problems (String.concat "; " view.Problems)
            let perFunction = callsPerFunction folder
            Expect.equal (perFunction.TryFind "Workers.Program.Tick(int, int)") (Some(4 * 800 + 8 * 50)) "Tick: 800 per worker, 50 per burst"
            Expect.equal (perFunction.TryFind "Workers.Program.Work(int)") (Some 4) "Work once per worker"
            Expect.equal (perFunction.TryFind "Workers.Program.Burst(int)") (Some 8) "Burst once per index"
            Expect.equal (countedCalls run folder) (perFunction |> Map.toList |> List.sumBy snd) "the summary's calls are those per function"
            Expect.equal (countedCalls run folder) (view.Calls.Length + 1) "each thread's own calls, and <toplevel>"
            let lines = (Cli.codetracer [ "print"; folder; "--calls"; "--width"; "100000" ]).Stdout.Split('\n') |> List.ofArray
            let works = lines |> List.filter (fun l -> l.Contains "Workers.Program.Work(int)")
            Expect.equal (works |> List.map (fun l -> l.Trim()) |> List.sort) [ for id in 0 .. 3 -> sprintf "Workers.Program.Work(int) id=%d → null" id ] "each worker's Work once, with its real return"
            let headings = lines |> List.filter (fun l -> l.StartsWith "  thread ")
            Expect.isGreaterThanOrEqual headings.Length 5 "a heading per thread that made calls: main and the four workers"
            for l in works do
                Expect.stringStarts l "      Workers" "a worker's Work is under its thread's outermost call (the thread's lambda), under its heading"
        }

        test "an NUnit run with parallel tests: each test once, as an outermost call, however the workers' chunks interleave" {
            let run, folder = nunitParallel.Value
            Expect.stringContains run.Stdout "Passed!" "the tests passed"
            let perFunction = callsPerFunction folder
            let tests = perFunction |> Map.filter (fun f _ -> f.StartsWith "NunitParallel.ParallelTests.")
            Expect.equal tests.Count 24 "24 tests"
            Expect.isTrue (tests |> Map.forall (fun _ n -> n = 1)) (sprintf "each test called once: %A" tests)
            Expect.equal (perFunction.TryFind "NunitParallel.Counter.Tick(int, int)") (Some(24 * 150)) "Tick: 150 per test"
            Expect.equal (perFunction.TryFind "NunitParallel.Counter.Run(int)") (Some 24) "Run once per test"
            Expect.equal (countedCalls run folder) (perFunction |> Map.toList |> List.sumBy snd) "the summary, the metadata and the CLI agree"
            let view = threadsOf (load folder)
            Expect.isEmpty view.Problems (String.concat "; " view.Problems)
            Expect.isGreaterThanOrEqual (view.Calls |> List.filter (fun c -> c.Function.StartsWith "NunitParallel.ParallelTests.") |> List.map (fun c -> c.Thread) |> List.distinct |> List.length) 2 "the tests ran on several workers"
        }

        test "ThreadStart marks every thread that ran instrumented code; each thread's calls are its own, in order" {
            let _, t = recorded.Value
            let view = threadsOf t
            Expect.equal (view.Started |> List.distinct) view.Started "one ThreadStart per thread"
            let callers = view.Calls |> List.map (fun c -> c.Thread) |> List.distinct
            for tid in callers do
                Expect.contains view.Started tid (sprintf "thread %d ran calls without a ThreadStart" tid)
            Expect.isGreaterThanOrEqual callers.Length 3 "main, the worker thread and at least one pool thread"
            let threadOf fn = view.Calls |> List.filter (fun c -> c.Function = fn) |> List.map (fun c -> c.Thread)
            let mainThread = threadOf "Threads.Program.Main()"
            Expect.equal mainThread.Length 1 "Main is called once"
            Expect.equal (threadOf spin) mainThread "Spin runs on Main's thread"
            match threadOf worker with
            | [ w ] -> Expect.notEqual w mainThread.Head "the worker runs on its own thread"
            | other -> failtestf "one call of Worker expected, got %A" other
            // The main thread's own calls, in order: Main, then Spin with its result.
            let mainCalls = view.Calls |> List.filter (fun c -> c.Thread = mainThread.Head)
            Expect.equal (mainCalls |> List.take 2 |> List.map (fun c -> c.Function, c.Args)) [ "Threads.Program.Main()", []; spin, [ "rounds", "20000" ] ] "Main, then Spin"
            Expect.equal (mainCalls.[1].Returned) (Some "199990000") "Spin's result"
            let squares = view.Calls |> List.filter (fun c -> c.Function = square)
            Expect.equal (squares |> List.map (fun c -> snd c.Args.Head |> int) |> List.sort) [ 0; 1; 2; 3; 12 ] "Square of 0..3 (pool) and 12 (Task.Run), once each"
            Expect.isTrue (squares |> List.forall (fun c -> c.Returned = Some(string (int (snd c.Args.Head) * int (snd c.Args.Head))))) "each with its result"
            let parallel =
                view.Calls
                |> List.filter (fun c -> c.Function.StartsWith "Threads.Program.Main.<lambda" && c.Args |> List.exists (fun (n, _) -> n = "i"))
                |> List.map (fun c -> c.Args |> List.find (fun (n, _) -> n = "i") |> snd |> int)
            Expect.equal (List.sort parallel) [ 0 .. 99 ] "the Parallel.For body once per index"
        }
    ]
