/// Records tests/programs/Exceptions: exceptions leaving recorded frames (recorder.md,
/// "Exceptions"; trace-format.md rule 7): the Error event, one `<unwind>` Return per
/// unwound frame, finally blocks, `using` disposal and filters as the steps they are,
/// the catching frame continuing at its handler, and the program's output unchanged.
module CodeTracer.EndToEnd.Tests.ExceptionTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// The trace in order, as a reader walks it: steps and IO events in the function that
/// runs them, calls, returns with the returning function.
type private Item =
    | S of func: string * line: int
    | C of func: string
    | R of func: string * value: string
    | E of kind: int * content: string

let private recording = lazy (Cli.record "Exceptions" [])

let private items (t: Trace) : Item list =
    let functions = ResizeArray<string>()
    let mutable stack: string list = []
    [ for e in t.Events do
          if e.ValueKind = JsonValueKind.Object then
              let p = e.EnumerateObject() |> Seq.head
              match p.Name with
              | "Function" -> functions.Add(p.Value.GetProperty("name").GetString())
              | "Call" ->
                  let f = functions.[p.Value.GetProperty("function_id").GetInt32()]
                  stack <- f :: stack
                  yield C f
              | "Return" ->
                  let f = List.head stack
                  stack <- List.tail stack
                  yield R(f, show (p.Value.GetProperty "return_value"))
              | "Step" -> yield S((match stack with f :: _ -> f | [] -> ""), p.Value.GetProperty("line").GetInt32())
              | "Event" -> yield E(p.Value.GetProperty("kind").GetInt32(), p.Value.GetProperty("content").GetString())
              | _ -> () ]

/// The recording, checked: recorded with exit code 0, valid and balanced for ct-validate (no --partial).
let private recorded =
    lazy
        (let run, folder = recording.Value
         Expect.equal run.ExitCode 0 (sprintf "codetracer record Exceptions: %s" run.Stderr)
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "ct-validate: %s" output)
         let t = load folder
         t, items t)

let private line marker = Repo.lineOf "Exceptions" marker

let private fn name = "Exceptions.Program." + name

/// The items from the Error event with this text on (included).
let private fromError (text: string) (all: Item list) =
    match all |> List.tryFindIndex ((=) (E(11, text))) with
    | Some i -> List.skip i all
    | None -> failtestf "no Error event %s" text

/// The last step before item `i`.
let private stepBefore (all: Item list) (item: Item) =
    all |> List.take (List.findIndex ((=) item) all) |> List.choose (function S(f, l) -> Some(f, l) | _ -> None) |> List.last

let private unwind (text: string) = "<unwind> " + text

let private deep20 = "System.InvalidOperationException: deep failure 20"

let tests =
    testList "Exceptions" [
        test "the trace is complete and balanced, and every Error event starts an unwinding" {
            let run, folder = recording.Value
            let _, all = recorded.Value
            let outcome = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))).RootElement.GetProperty("outcome").GetString()
            Expect.equal outcome "complete" run.Stderr
            Expect.isNonEmpty (all |> List.filter (function E(11, _) -> true | _ -> false)) "Error events"
            for item, next in List.pairwise all do
                match item, next with
                | E(11, text), R(_, value) -> Expect.equal value (unwind text) "the Error event's text in the <unwind> Return"
                | E(11, text), other -> failtestf "the Error event %s is followed by %A, not a Return" text other
                | _ -> ()
        }

        test "a throw three frames deep, caught two frames up: the Error event on the throw's step, the unwound frames return <unwind>" {
            let _, all = recorded.Value
            Expect.equal (stepBefore all (E(11, deep20))) (fn "Thrower(int)", line "throw new InvalidOperationException(\"deep failure \"") "on the throw's step"
            let after = fromError deep20 all
            let unwound = after |> List.choose (function R(f, v) when v = unwind deep20 -> Some f | _ -> None)
            Expect.equal unwound [ fn "Thrower(int)"; fn "Middle(int)" ] "exactly the unwound frames, innermost first"
            let untilCaught = after |> List.takeWhile (fun i -> i <> R(fn "Catcher()", "deep failure 20"))
            Expect.equal (untilCaught |> List.filter (function E(11, _) -> true | _ -> false) |> List.length) 1 "one Error event for the throw"
            Expect.contains all (R(fn "Catcher()", "deep failure 20")) "the catching frame returns normally"
        }

        test "the finally block's steps and the using's Dispose run between the unwound frames' returns" {
            let _, all = recorded.Value
            let after = fromError deep20 all
            let between =
                after
                |> List.skipWhile (fun i -> i <> R(fn "Thrower(int)", unwind deep20))
                |> List.takeWhile (fun i -> i <> R(fn "Middle(int)", unwind deep20))
            let middleLines = between |> List.choose (function S(f, l) when f = fn "Middle(int)" -> Some l | _ -> None)
            Expect.contains middleLines (line "int cleanup = depth;") "the finally's first line"
            Expect.contains middleLines (line "Console.WriteLine(\"finally \" + cleanup);") "the finally's output line"
            Expect.contains between (E(0, "finally 1\n")) "its output"
            Expect.contains between (C "Exceptions.Resource.Dispose()") "the using disposes"
            Expect.contains between (E(0, "dispose middle\n")) "Dispose's output"
            Expect.isTrue
                (List.findIndex ((=) (E(0, "finally 1\n"))) between < List.findIndex ((=) (C "Exceptions.Resource.Dispose()")) between)
                "the finally before the disposal"
        }

        test "the catching frame's next step is its handler's" {
            let _, all = recorded.Value
            let afterMiddle = fromError deep20 all |> List.skipWhile (fun i -> i <> R(fn "Middle(int)", unwind deep20)) |> List.tail
            Expect.equal (List.head afterMiddle) (S(fn "Catcher()", line "// Catcher's handler")) "the catch line"
            let handler = afterMiddle |> List.takeWhile (fun i -> i <> R(fn "Catcher()", "deep failure 20"))
            Expect.contains handler (S(fn "Catcher()", line "string caught = e.Message;")) "then the handler's body"
        }

        test "an exception filter false for one catch and true for the other: its steps in the catching frame, after the unwinding" {
            let _, all = recorded.Value
            let text = "System.ArgumentException: bad code 7 (Parameter 'code')"
            Expect.equal (stepBefore all (E(11, text))) (fn "Fail(int)", line "throw new ArgumentException(\"bad code \"") "on Fail's throw step"
            let after = fromError text all
            Expect.equal (List.item 1 after) (R(fn "Fail(int)", unwind text)) "Fail unwinds"
            let filtered = after |> List.skip 2 |> List.takeWhile (fun i -> i <> R(fn "Filtered(int)", "filtered code"))
            let lines = filtered |> List.choose (function S(f, l) when f = fn "Filtered(int)" -> Some l | _ -> None)
            let whenOther, whenCode, handled = line "when (e.ParamName == \"other\")", line "when (e.ParamName == \"code\")", line "string handled ="
            Expect.equal (lines |> List.filter (fun l -> l = whenOther || l = whenCode || l = handled)) [ whenOther; whenCode; handled ] "both filters, then the second handler"
            Expect.isFalse (lines |> List.contains (line "return \"wrong handler\";")) "the first handler never runs"
            Expect.isTrue (filtered |> List.forall (function S(f, _) -> f = fn "Filtered(int)" | _ -> true)) "all in Filtered's frame"
        }

        test "a rethrow: a second Error event on the throw; step, both frames unwound, the handler's step next" {
            let _, all = recorded.Value
            let text = "System.InvalidOperationException: deep failure 50"
            let errors = all |> List.indexed |> List.filter (fun (_, i) -> i = E(11, text)) |> List.map fst
            Expect.equal errors.Length 2 "the throw and the rethrow"
            let stepOf i = all |> List.take i |> List.choose (function S(f, l) -> Some(f, l) | _ -> None) |> List.last
            Expect.equal (stepOf errors[0]) (fn "Thrower(int)", line "throw new InvalidOperationException(\"deep failure \"") "the throw"
            Expect.equal (stepOf errors[1]) (fn "Rethrower()", line "throw;") "the rethrow"
            Expect.equal (all |> List.choose (function R(f, v) when v = unwind text -> Some f | _ -> None)) [ fn "Thrower(int)"; fn "Rethrower()" ] "unwound frames"
            Expect.equal (all |> List.item (errors[1] + 2)) (S(fn "PrintTrace()", line "// PrintTrace's handler")) "PrintTrace's handler"
        }

        test "constructors, structs, lambdas, stackalloc and iterators unwind too" {
            let _, all = recorded.Value
            let unwound = all |> List.choose (function R(f, v) when v.StartsWith "<unwind> " -> Some(f, v) | _ -> None)
            let has f (text: string) = Expect.contains unwound (f, unwind text) $"{f} returns <unwind> {text}"
            has "Exceptions.Account..ctor(int)" "System.ArgumentException: negative balance (Parameter 'balance')"
            has "Exceptions.Savings..ctor(int)" "System.ArgumentException: negative balance (Parameter 'balance')"
            has "Exceptions.Meter.Below(int)" "System.OverflowException: over 2"
            has (fn "StackSum(int)") "System.IndexOutOfRangeException: Index was outside the bounds of the array."
            has (fn "Slot(int[], int)") "System.IndexOutOfRangeException: Index was outside the bounds of the array."
            Expect.exists unwound (fun (_, v) -> v = unwind "System.InvalidOperationException: iterator failure") "the iterator's body"
            Expect.isFalse (unwound |> List.exists (fun (f, _) -> f.StartsWith(fn "Guarded"))) "the catching frame does not unwind"
        }

        test "the program's output, stack trace text included, is the same recorded and unrecorded" {
            let run, _ = recording.Value
            let plain = Cli.plain "Exceptions" []
            Expect.equal plain.ExitCode 0 plain.Stderr
            Expect.equal run.Stdout plain.Stdout "same stdout"
            let throwLine = line "throw new InvalidOperationException(\"deep failure \""
            let source = Repo.source "Exceptions"
            Expect.stringContains run.Stdout $"at Exceptions.Program.Thrower(Int32 depth) in {source}:line {throwLine}" "the stack trace names the throw's line"
            Expect.stringContains run.Stdout "at Exceptions.Program.Rethrower()" "and the rethrowing frame"
        }
    ]
