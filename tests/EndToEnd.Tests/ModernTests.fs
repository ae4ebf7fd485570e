/// Records tests/programs/ModernCSharp and ModernFSharp, which use every IL shape of C#
/// 12–14 and F# 8–9 (init and required members, records, ref kinds, ref structs, function
/// pointers, generic math, async streams, task and seq expressions, struct unions, SRTP...):
/// the program behaves as it does unrecorded and the trace is valid. That every method of
/// theirs compiles once instrumented is Shell.Tests' ModernShapesTests.
module CodeTracer.EndToEnd.Tests.ModernTests

open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recordings =
    [ for program in [ "ModernCSharp"; "ModernFSharp" ] ->
          program,
          lazy
              (let run, folder = Cli.record program []
               Expect.equal run.ExitCode 0 run.Stderr
               run, folder) ]

let private recorded program = (snd (List.find (fun (p, _) -> p = program) recordings)).Value

let private only name t =
    match callsOf name t with
    | [ c ] -> c
    | calls -> failtestf "expected one call of %s, got %d" name calls.Length

let tests =
    testList "Modern" [
        for program, _ in recordings do
            test $"{program}: the output is the unrecorded output" {
                let run, _ = recorded program
                let plain = Cli.plain program []
                Expect.equal plain.ExitCode 0 plain.Stderr
                Expect.equal run.Stdout plain.Stdout "same stdout as unrecorded"
            }
            test $"{program}: the trace is valid" {
                let code, output = Cli.validate (snd (recorded program)) []
                Expect.equal code 0 output
            }
        test "an init accessor is a void call with its value" {
            let t = load (snd (recorded "ModernCSharp"))
            let setX = callsOf "ModernCSharp.Point.set_X(int)" t
            Expect.equal (setX |> List.map (fun c -> List.last c.Args, c.Returned)) [ ("value", "3"), None ] "set_X(3), nothing returned"
            let label = only "ModernCSharp.Point.set_Label(string)" t
            Expect.equal (List.last label.Args) ("value", "corner") "a required member"
        }
        test "ref readonly, in and function pointer signatures are read through their modifiers" {
            let t = load (snd (recorded "ModernCSharp"))
            let pick = only "ModernCSharp.AreaMeasure.Pick(in int, in int)" t
            Expect.equal (pick.Args |> List.tail) [ "a", "3"; "b", "8" ] "in (ref readonly) arguments"
            Expect.equal pick.Returned (Some "8") "a ref readonly return, read through the reference"
            let measure = only "ModernCSharp.AreaMeasure.Measure(in ModernCSharp.Size)" t
            Expect.equal measure.Returned (Some "12") "a virtual in parameter (modreq(InAttribute))"
            let choose = only "ModernCSharp.Program.Choose(delegate*)" t
            Expect.equal choose.Returned (Some "<delegate*>") "a function pointer is described, not read"
        }
        test "F#: a struct union, an active pattern and a task are recorded with their values" {
            let t = load (snd (recorded "ModernFSharp"))
            let areas = callsOf "ModernFSharp.Program.area(ModernFSharp.Program.Shape)" t |> List.map (fun c -> c.Returned)
            Expect.equal areas [ Some "3.14"; Some "6.0" ] "areas"
            Expect.equal (callsOf "ModernFSharp.Program.describe(int)" t |> List.map (fun c -> c.Returned))
                [ Some "fizzbuzz 2"; Some "even 4"; Some "odd 7"; Some "non-positive" ] "describe"
        }
    ]
