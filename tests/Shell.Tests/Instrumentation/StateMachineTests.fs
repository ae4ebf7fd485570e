/// A state machine's return, prepared in one step (`StateMachine.Prepare`): the locals it adds,
/// the code before each completion call, and the return code that reads those locals; on the
/// MoveNext methods of the built AsyncLambdas program (an async Task<int>, an async Task, an
/// iterator, an async iterator).
module CodeTracer.Shell.Tests.StateMachineTests

open System.IO
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Core.TraceFilter
open CodeTracer.Shell.Instrumentation

/// A fresh in-memory AsyncLambdas module (each test changes its methods) and its value probes.
let private fresh () =
    let m = LoopsFixture.readModule (Path.Combine(JitCheck.programOutput "AsyncLambdas", "AsyncLambdas.dll"))
    m, ValueProbes(m, SmallMethods.runtimeProbe.Value)

/// The `MoveNext` of the state machine of `kickoff` (a method of Program).
let private moveNextOf (m: ModuleDefinition) (kickoff: string) =
    m.GetType("Shop.Program").NestedTypes
    |> Seq.find (fun t -> t.Name.StartsWith("<" + kickoff + ">"))
    |> fun t -> t.Methods |> Seq.find (fun x -> x.Name = "MoveNext")

let private isCompletion (i: Instruction) =
    match i.Operand with
    | :? MethodReference as target when i.OpCode.Code = Code.Call || i.OpCode.Code = Code.Callvirt ->
        target.Name = "SetResult" || target.Name = "SetException"
    | _ -> false

let private probeCalls (code: Instruction seq) =
    code
    |> Seq.choose (fun i ->
        match i.Operand with
        | :? MethodReference as m when m.DeclaringType.FullName = "CodeTracer.Runtime.Probe" -> Some m.Name
        | _ -> None)
    |> List.ofSeq

/// The indexes of the locals `ldloc`/`stloc` in `code` name.
let private localsIn (code: Instruction seq) =
    code |> Seq.choose (fun i -> match i.Operand with :? VariableDefinition as v -> Some v.Index | _ -> None) |> Set.ofSeq

let private indexes (locals: (VariableDefinition | null) list) = locals |> List.map (fun v -> (nonNull v).Index) |> Set.ofList

let tests =
    testList "Instrumentation.StateMachine" [
        test "MoveNext methods are told apart by kind; other methods are no state machine" {
            let m, _ = fresh ()
            let kind name = (StateMachine.Of(moveNextOf m name) |> nonNull).Kind
            Expect.equal (kind "ComputeAsync") StateMachine.Kinds.Async "async Task<int>"
            Expect.equal (kind "Main") StateMachine.Kinds.Async "async Task"
            Expect.equal (kind "Squares") StateMachine.Kinds.Iterator "iterator"
            Expect.equal (kind "CountdownAsync") StateMachine.Kinds.AsyncIterator "async iterator"
            let plain = m.GetType("Shop.Program").Methods |> Seq.find (fun x -> x.Name = "Squares")
            Expect.isNull (StateMachine.Of plain) "the kickoff method"
        }
        test "an async method's preparation adds the state and result locals and code before every completion" {
            let m, _ = fresh ()
            let method = moveNextOf m "ComputeAsync"
            let before = method.Body.Variables.Count
            let signals = method.Body.Instructions |> Seq.filter isCompletion |> List.ofSeq
            let prepared = (StateMachine.Of method |> nonNull).Prepare method
            Expect.equal method.Body.Variables.Count (before + 2) "two locals"
            let state, result = nonNull prepared.State, nonNull prepared.Result
            Expect.equal state.VariableType.FullName "System.Int32" "the state's copy"
            Expect.equal result.VariableType.FullName "System.Object" "the boxed result"
            Expect.isNull prepared.Yielded "no yielded value"
            Expect.equal (prepared.Completions |> Seq.map (fun c -> c.Call) |> List.ofSeq) signals "one completion per SetResult/SetException"
            for c in prepared.Completions do
                let ops = c.Code |> Seq.map (fun i -> i.OpCode.Code) |> List.ofSeq
                Expect.equal ops.[0..2] [ Code.Ldarg_0; Code.Ldfld; Code.Stloc ] "the state copied first"
                let setsResult = (c.Call.Operand :?> MethodReference).Name = "SetResult"
                // SetResult(int): the argument on the stack, boxed into the result's local.
                Expect.equal (List.contains Code.Box ops) setsResult "the result boxed before SetResult only"
                Expect.isTrue (Set.isSubset (localsIn c.Code) (indexes [ state; result ])) "the prepared locals only"
        }
        test "an async method's return reads the prepared locals: the result, or a marker" {
            let m, probes = fresh ()
            let method = moveNextOf m "ComputeAsync"
            let prepared = (StateMachine.Of method |> nonNull).Prepare method
            let code = prepared.Returned(probes, ValueAction.Allow)
            Expect.equal (localsIn code) (indexes [ prepared.State; prepared.Result ]) "locals read"
            Expect.equal (probeCalls code) [ "ValObject"; "ValInt"; "ValInt" ] "the result, <completed>, <await>"
            Expect.equal (List.length (probeCalls (prepared.Returned(probes, ValueAction.Redact)))) 3 "the same shape when redacted"
            Expect.contains (probeCalls (prepared.Returned(probes, ValueAction.Redact))) "ValRedacted" "a redacted result is not read"
        }
        test "an iterator is prepared without locals; its return reads <>2__current" {
            let m, probes = fresh ()
            let method = moveNextOf m "Squares"
            let before = method.Body.Variables.Count
            let prepared = (StateMachine.Of method |> nonNull).Prepare method
            Expect.equal method.Body.Variables.Count before "no local"
            Expect.isEmpty prepared.Completions "no completion"
            let code = prepared.Returned(probes, ValueAction.Allow)
            let current =
                code |> Seq.tryPick (fun i -> match i.Operand with :? FieldReference as f -> Some f.Name | _ -> None)
            Expect.equal current (Some "<>2__current") "the yielded value"
            Expect.equal (probeCalls code) [ "ValObject"; "ValInt" ] "the value, <completed>"
        }
        test "an async iterator keeps the yielded value in a local at each completion" {
            let m, probes = fresh ()
            let method = moveNextOf m "CountdownAsync"
            let prepared = (StateMachine.Of method |> nonNull).Prepare method
            let yielded = nonNull prepared.Yielded
            Expect.isNull prepared.Result "no result local"
            Expect.isNonEmpty prepared.Completions "completions"
            for c in prepared.Completions do
                Expect.contains (localsIn c.Code) yielded.Index "the yielded value kept"
            let code = prepared.Returned(probes, ValueAction.Allow)
            Expect.equal (localsIn code) (indexes [ prepared.State; yielded ]) "locals read"
            Expect.equal (probeCalls code) [ "ValInt"; "ValInt"; "ValObject" ] "<completed>, <await>, the yielded value"
        }
    ]
