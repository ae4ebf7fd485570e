/// Records tests/programs/ModernCSharp and ModernFSharp, which use every IL shape of C#
/// 12–14 and F# 8–9 (init and required members, records, ref kinds, ref structs, function
/// pointers, generic math, async streams, task and seq expressions, struct unions, SRTP...):
/// the program behaves as it does unrecorded and the trace is valid. That every method of
/// theirs compiles once instrumented is Shell.Tests' ModernShapesTests.
module CodeTracer.EndToEnd.Tests.ModernTests

open System.IO
open System.Text.Json
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
        test "runtime_version is the runtime that ran, not the runtimeconfig's version" {
            let metadata = File.ReadAllText(Path.Combine(snd (recorded "ModernCSharp"), "trace_metadata.json"))
            let version = JsonDocument.Parse(metadata).RootElement.GetProperty("runtime_version").GetString()
            // The tests run on the dotnet that runs the program, and both roll forward to its newest net10.0 patch.
            Expect.equal version ("Microsoft.NETCore.App " + string System.Environment.Version) "the patch that ran"
        }
        test "an init accessor is a void call with its value" {
            let t = load (snd (recorded "ModernCSharp"))
            let setX = callsOf "ModernCSharp.Point.set_X(int)" t
            // X = 3 in an initializer, X = 1 in a constructor; a void return has no value.
            Expect.equal (setX |> List.map (fun c -> List.last c.Args, c.Returned)) [ ("value", "3"), Some "null"; ("value", "1"), Some "null" ] "set_X, void"
            let labels = callsOf "ModernCSharp.Point.set_Label(string)" t |> List.map (fun c -> List.last c.Args)
            Expect.equal labels [ "value", "corner"; "value", "p" ] "a required member, in the initializer and the constructor"
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
        test "F#: an active pattern's and a struct union's calls are shown with their values" {
            // Through `print --calls`, which shows each call on one line with its arguments and result.
            let printed = Cli.codetracer [ "print"; snd (recorded "ModernFSharp"); "--calls" ]
            Expect.equal printed.ExitCode 0 printed.Stderr
            for call in
                [ "ModernFSharp.Program.describe(int) n=30 → \"fizzbuzz 2\""
                  "ModernFSharp.Program.|DivisibleBy|_|(int, int) d=15, n=30 → ValueSome"
                  "ModernFSharp.Program.|Even|Odd|(int) n=7 → Choice2Of2" ] do
                Expect.stringContains printed.Stdout call "a call with its arguments and result"
            let areas = printed.Stdout.Split '\n' |> Array.filter (fun l -> l.Contains "Program.area(ModernFSharp.Program.Shape) shape=")
            Expect.equal (areas |> Array.map (fun l -> l.Substring(l.LastIndexOf "→"))) [| "→ 3.14"; "→ 6" |] "a struct union argument, the areas"
        }
    ]
