/// The variables a probe shows (`VisibleVariables`), on methods of the built AsyncLambdas
/// program: hoisted arguments and locals of a state machine, captured variables of nested
/// lambdas, and the one shadowing rule.
module CodeTracer.Shell.Tests.VisibleVariablesTests

open System.IO
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Core.TraceFilter
open CodeTracer.Shell.Instrumentation

let private program =
    lazy
        (let m = LoopsFixture.readModule (Path.Combine(JitCheck.programOutput "AsyncLambdas", "AsyncLambdas.dll"))
         m, ValueProbes(m, SmallMethods.runtimeProbe.Value))

let private typeNamed (name: string) = (fst program.Value).GetTypes() |> Seq.find (fun t -> t.FullName = name)

let private methodOf (t: TypeDefinition) (name: string) = t.Methods |> Seq.find (fun m -> m.Name = name)

/// A method of a compiler-made type nested in `outer` whose name starts with `prefix`.
let private generated (outer: string) (prefix: string) (name: string) =
    (typeNamed outer).NestedTypes |> Seq.filter (fun t -> t.Name.StartsWith prefix) |> Seq.collect (fun t -> t.Methods) |> Seq.find (fun m -> m.Name.StartsWith name)

let private names (vs: Variable seq) = vs |> Seq.map (fun v -> v.Name) |> List.ofSeq

let private arguments m = VisibleVariables.Arguments(m, snd program.Value, VisibleVariables.AllowAll)

/// The locals visible at each visible sequence point of `m`, by line.
let private localsByLine (m: MethodDefinition) =
    IlSplicer.DebugAnchors(m).VisiblePoints()
    |> Seq.map (fun struct (point, at) -> point.StartLine, names (VisibleVariables.LocalsAt(m, at.Offset, snd program.Value, VisibleVariables.AllowAll)))
    |> List.ofSeq

let tests =
    testList "Instrumentation.VisibleVariables" [
        test "an iterator's MoveNext shows its user method's argument, and its hoisted locals where they are in scope" {
            let moveNext = generated "Shop.Program" "<Squares>" "MoveNext"
            Expect.equal (names (arguments moveNext)) [ "count" ] "the hoisted argument"
            let byLine = localsByLine moveNext
            Expect.exists byLine (fun (_, locals) -> locals = [ "i"; "square" ]) "both in the loop body"
            Expect.exists byLine (fun (_, locals) -> not (List.contains "square" locals)) "square not outside its scope"
        }
        test "a lambda in a lambda shows its parameter, then the captured variables of both closures" {
            let inner = generated "Shop.Closures" "<>c__DisplayClass" "<Nested>b__1"
            Expect.equal (names (arguments inner)) [ "x"; "offset"; "factor"; "start" ] "parameter, outer lambda's local, method's local and argument"
        }
        test "a filter that drops a value hides its variable; one that redacts keeps it, unread" {
            let method = methodOf (typeNamed "Shop.Cart") "Total"
            let filter = ValueFilter(fun _ name _ -> if name = "discount" then ValueAction.Drop elif name = "this" then ValueAction.Redact else ValueAction.Allow)
            let shown = VisibleVariables.Arguments(method, snd program.Value, filter)
            Expect.equal (names shown) [ "this" ] "discount dropped"
            Expect.isFalse shown.[0].Plan.Reads "this redacted: never read"
        }
        test "a local takes the place of an argument of its name" {
            let method = methodOf (typeNamed "Shop.Cart") "Total"
            let args = arguments method
            let local name = Variable(name, args.[0].Plan, (fun () -> [| Instruction.Create OpCodes.Nop |]))
            let discount = local "discount"
            let all = VisibleVariables.WithLocals(args, ResizeArray [ discount; local "sum" ])
            Expect.equal (names all) [ "this"; "discount"; "sum" ] "in the argument's place"
            Expect.isTrue (obj.ReferenceEquals(all.[1], discount)) "the local, not the argument"
        }
    ]
