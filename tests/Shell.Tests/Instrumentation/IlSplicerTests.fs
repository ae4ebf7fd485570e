/// Code spliced before an instruction takes its place: branches, switch targets, handler
/// bounds, sequence points and scopes that named the instruction name the new code.
module CodeTracer.Shell.Tests.IlSplicerTests

open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Shell.Instrumentation
open CodeTracer.Shell.Tests.SmallMethods

/// `switch (x) { 0 => T, 1 => T }; if (x) T; ret 1; T: ret 2`, with a try around T's block.
let private branchy () =
    let mutable target = null
    let method, _ =
        build int32 (fun il ->
            let t = il.Create(OpCodes.Ldc_I4_2)
            target <- t
            il.Emit(OpCodes.Ldarg_0)
            il.Emit(OpCodes.Switch, [| t; t |])
            il.Emit(OpCodes.Ldarg_0)
            il.Emit(OpCodes.Brtrue, t)
            il.Emit(OpCodes.Ldc_I4_1)
            il.Emit(OpCodes.Ret)
            il.Append t
            il.Emit(OpCodes.Ret))
    method, nonNull target

let tests =
    testList "Instrumentation.IlSplicer" [
        test "branches and switch targets to the instruction go to the inserted code" {
            let method, target = branchy ()
            let anchors = IlSplicer.DebugAnchors method
            IlSplicer.InsertBefore(method.Body, anchors, target, [ Instruction.Create OpCodes.Nop; Instruction.Create OpCodes.Nop ])
            Expect.equal
                (listing method.Body)
                [ "ldarg.0"; "switch -> 6,6"; "ldarg.0"; "brtrue -> 6"; "ldc.i4.1"; "ret"; "nop"; "nop"; "ldc.i4.2"; "ret" ]
                "the code sits before the target and takes its place"
        }
        test "handler bounds, sequence points and scopes at the instruction move to the inserted code" {
            let method, target = branchy ()
            let body = method.Body
            let handler =
                ExceptionHandler(ExceptionHandlerType.Finally, TryStart = body.Instructions.[4], TryEnd = target, HandlerStart = target, HandlerEnd = body.Instructions.[7])
            body.ExceptionHandlers.Add handler
            let mutable offset = 0
            for i in body.Instructions do
                i.Offset <- offset
                offset <- offset + i.GetSize()
            let document = Document "Small.cs"
            method.DebugInformation.SequencePoints.Add(SequencePoint(target, document, StartLine = 9, EndLine = 9, StartColumn = 1, EndColumn = 2))
            let scope = ScopeDebugInformation(target, null)
            method.DebugInformation.Scope <- ScopeDebugInformation(body.Instructions.[0], null)
            method.DebugInformation.Scope.Scopes.Add scope
            let anchors = IlSplicer.DebugAnchors method
            let first = Instruction.Create OpCodes.Nop
            IlSplicer.InsertBefore(body, anchors, target, [ first ])
            Expect.equal handler.TryEnd first "try end"
            Expect.equal handler.HandlerStart first "handler start"
            let point = method.DebugInformation.SequencePoints |> Seq.exactlyOne
            Expect.equal (point.StartLine, point.Offset) (9, first.Offset) "the sequence point, at the new code"
            Expect.equal (anchors.VisiblePoints() |> List.ofSeq |> List.map (fun struct (_, at) -> at)) [ first ] "the anchors follow"
            Expect.equal scope.Start.Offset first.Offset "the scope starts at the new code"
        }
    ]
