/// The unwind guard: `try { body } fault { Probe.Unwind(frame) }` around the body after the
/// entry probes, each `ret` leaving the try block for one return after the handler.
module CodeTracer.Shell.Tests.UnwindGuardTests

open System.Collections.Generic
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Shell.Instrumentation
open CodeTracer.Shell.Tests.SmallMethods

/// `if (x) return 1; return 2;` (or the void method with the same branches), its rets and a frame local.
let private twoReturns (isVoid: bool) =
    let method, probes =
        build (if isVoid then void' else int32) (fun il ->
            let second = il.Create(if isVoid then OpCodes.Nop else OpCodes.Ldc_I4_2)
            il.Emit(OpCodes.Ldarg_0)
            il.Emit(OpCodes.Brfalse, second)
            if not isVoid then il.Emit(OpCodes.Ldc_I4_1)
            il.Emit(OpCodes.Ret)
            il.Append second
            il.Emit(OpCodes.Ret))
    let frame = VariableDefinition(method.Module.TypeSystem.Object)
    method.Body.Variables.Add frame
    let rets = method.Body.Instructions |> Seq.filter (fun i -> i.OpCode.Code = Code.Ret) |> List<Instruction>
    method, probes, rets, frame

let tests =
    testList "Instrumentation.UnwindGuard" [
        test "a method's returns store the value and leave the try block; the fault handler records the unwind" {
            let method, probes, rets, frame = twoReturns false
            UnwindGuard.Add(method, probes, method.Body.Instructions.[0], rets, false, frame)
            Expect.equal
                (listing method.Body)
                [ "ldarg.0"; "brfalse -> 5"; "ldc.i4.1"; "stloc V1"; "leave -> 11"; "ldc.i4.2"; "stloc V1"; "leave -> 11"
                  "ldloc V0"; "call Unwind"; "endfinally"; "ldloc V1"; "ret" ]
                "body"
            let handler = Seq.exactlyOne method.Body.ExceptionHandlers
            Expect.equal handler.HandlerType ExceptionHandlerType.Fault "a fault handler"
            let at i = method.Body.Instructions.[i]
            Expect.equal (handler.TryStart, handler.TryEnd, handler.HandlerStart, handler.HandlerEnd) (at 0, at 8, at 8, at 11) "bounds"
            Expect.equal method.Body.Variables.[1].VariableType.FullName "System.Int32" "the result's local"
        }
        test "a void method's returns leave for one return after the handler; an activation method deactivates" {
            let method, probes, rets, frame = twoReturns true
            UnwindGuard.Add(method, probes, method.Body.Instructions.[0], rets, true, frame)
            Expect.equal
                (listing method.Body)
                [ "ldarg.0"; "brfalse -> 3"; "leave -> 9"; "nop"; "leave -> 9"; "ldloc V0"; "call Unwind"; "call Deactivate"; "endfinally"; "ret" ]
                "body"
        }
        test "a method with jmp is left as it is" {
            let method, probes =
                build void' (fun il -> il.Emit(OpCodes.Jmp, il.Body.Method))
            let before = listing method.Body
            UnwindGuard.Add(method, probes, method.Body.Instructions.[0], List<Instruction>(), false, VariableDefinition(method.Module.TypeSystem.Object))
            Expect.equal (listing method.Body) before "unchanged"
            Expect.isEmpty method.Body.ExceptionHandlers "no handler"
        }
        test "a handler that ended with the method now ends at the fault handler" {
            let method, probes, rets, frame = twoReturns true
            let body = method.Body
            let inner = ExceptionHandler(ExceptionHandlerType.Finally, TryStart = body.Instructions.[0], TryEnd = body.Instructions.[3], HandlerStart = body.Instructions.[3], HandlerEnd = null)
            body.ExceptionHandlers.Add inner
            UnwindGuard.Add(method, probes, body.Instructions.[0], rets, false, frame)
            Expect.equal (body.ExceptionHandlers.[0], body.ExceptionHandlers.Count) (inner, 2) "the inner handler first"
            Expect.equal inner.HandlerEnd body.ExceptionHandlers.[1].HandlerStart "ends where the fault handler starts"
        }
    ]
