/// Records tests/programs/Constructs: operators, a static constructor, properties,
/// out/ref/in parameters, a span, a pointer in unsafe code, generic types and
/// methods, a struct's `this` (recorder.md, "What is recorded").
module CodeTracer.EndToEnd.Tests.ConstructTests

open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recorded =
    lazy
        (let run, folder = Cli.record "Constructs" []
         Expect.equal run.ExitCode 0 run.Stderr
         let code, output = Cli.validate folder []
         Expect.equal code 0 output
         run, load folder)

let private only name =
    match callsOf name (snd recorded.Value) with
    | [ c ] -> c
    | calls -> failtestf "expected one call of %s, got %d" name calls.Length

let private args (c: CallView) = c.Args

let tests =
    testList "Constructs" [
        test "the program's output is unchanged" {
            let run, _ = recorded.Value
            Expect.equal run.Stdout (Cli.plain "Constructs" []).Stdout "same stdout as unrecorded"
        }
        test "an operator with its operands and result" {
            let add = only "Constructs.Money.op_Addition(Constructs.Money, Constructs.Money)"
            Expect.equal (args add) [ "a", "{Amount: 1.5}"; "b", "{Amount: 2.5}" ] "operands"
            Expect.equal add.Returned (Some "{Amount: 4.0}") "result"
        }
        test "a struct's this is read through its pointer, but not in its constructor" {
            let t = snd recorded.Value
            let amounts = callsOf "Constructs.Money.get_Amount()" t |> List.map (fun c -> args c, c.Returned)
            Expect.contains amounts ([ "this", "{Amount: 1.5}" ], Some "1.5") "a getter on a struct"
            let ctor = callsOf "Constructs.Money..ctor(decimal)" t |> List.head
            Expect.equal (args ctor) [ "this", "<Constructs.Money>"; "amount", "1.5" ] "constructor"
        }
        test "the static constructor runs once, before the instance's, and the property setter shows its value" {
            let t = snd recorded.Value
            let names = t.Calls |> List.map (fun c -> c.Function)
            let cctor = List.findIndex ((=) "Constructs.Counter..cctor()") names
            let ctor = List.findIndex ((=) "Constructs.Counter..ctor()") names
            Expect.isLessThan cctor ctor "static first"
            Expect.equal (callsOf "Constructs.Counter..cctor()" t).Length 1 "once"
            let set = only "Constructs.Counter.set_Value(int)"
            Expect.equal (args set) [ "this", "{Value: 10}"; "value", "11" ] "setter"
        }
        test "out, ref and in parameters, a span, a pointer" {
            let halve = only "Constructs.Program.TryHalve(int, out int)"
            Expect.equal (args halve) [ "value", "8"; "half", "0" ] "out at entry"
            Expect.equal halve.Returned (Some "true") "returned"
            let sum = only "Constructs.Program.Sum(in Constructs.Money, ref int, ReadOnlySpan<int>)"
            Expect.equal (args sum) [ "total", "{Amount: 4.0}"; "calls", "0"; "numbers", "<ReadOnlySpan<int>>" ] "in, ref, span"
            Expect.equal sum.Returned (Some "10") "sum"
            let read = only "Constructs.Program.ReadThrough(int*)"
            Expect.equal (args read) [ "pointer", "<int*>" ] "a pointer is a descriptive Raw"
            Expect.equal read.Returned (Some "42") "read through it"
            let main = (snd recorded.Value).Steps |> List.filter (fun s -> s.Function = "Constructs.Program.Main()") |> List.last
            Expect.equal (main.Values.TryFind "half") (Some "4") "the out value after the call"
        }
        test "a generic type's method and its generic method, with the instantiation in the values" {
            let map = only "Constructs.Box<T>.Map<TOut>(Func<T, TOut>)"
            Expect.equal (args map |> List.head) ("this", "{Item: abc}") "this"
            Expect.equal map.Returned (Some "3") "result"
            Expect.equal (only "Constructs.Program.Main.<lambda 1>").Returned (Some "3") "the lambda"
        }
    ]
