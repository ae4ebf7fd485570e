using CodeTracer.Core.Probes;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>The unwind guard: a <c>fault</c> handler around a method's body that records an exception leaving it.</summary>
internal static class UnwindGuard
{
    /// <summary>
    /// Wraps the body after the entry probes in <c>try { body } fault { Probe.Unwind(); endfinally }</c>,
    /// so that an exception leaving the method is recorded. A <c>ret</c> can not leave a try
    /// block: each becomes <c>stloc result; leave End</c> (void: <c>leave End</c>), and
    /// <c>End: ldloc result; ret</c> follows the handler. The new handler is the method's
    /// last, so the existing ones (inner) come first, as nesting requires.
    /// </summary>
    /// <param name="tryStart">The first instruction after the entry probes.</param>
    /// <param name="returns">The method's <c>ret</c> instructions, their Return probes already before them.</param>
    internal static void Add(MethodDefinition method, ValueProbes probes, Instruction tryStart, List<Instruction> returns, bool activates, VariableDefinition frame)
    {
        var body = method.Body;
        // `jmp` may not leave a try block (and such a method never returns through our code).
        if (body.Instructions.Any(i => i.OpCode.Code == Code.Jmp)) return;

        var il = body.Instructions;
        var fault = Instruction.Create(OpCodes.Ldloc, frame);
        // A handler that ended with the method would now take in the code appended below.
        foreach (var handler in body.ExceptionHandlers)
            if (handler.HandlerEnd is null) handler.HandlerEnd = fault;

        Instruction? end = null;
        var tail = new List<Instruction>();
        if (returns.Count > 0)
        {
            if (Modifiers.ReturnsVoid(method))
            {
                end = Instruction.Create(OpCodes.Ret);
                tail.Add(end);
                foreach (var ret in returns)
                {
                    ret.OpCode = OpCodes.Leave;
                    ret.Operand = end;
                }
            }
            else
            {
                var result = new VariableDefinition(Modifiers.Strip(method.ReturnType));
                body.Variables.Add(result);
                end = Instruction.Create(OpCodes.Ldloc, result);
                tail.Add(end);
                tail.Add(Instruction.Create(OpCodes.Ret));
                foreach (var ret in returns)
                {
                    // The ret keeps its identity (branches to it stay valid) and becomes the store.
                    ret.OpCode = OpCodes.Stloc;
                    ret.Operand = result;
                    il.Insert(il.IndexOf(ret) + 1, Instruction.Create(OpCodes.Leave, end));
                }
            }
        }

        il.Add(fault);
        il.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.unwind)));
        if (activates) il.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.deactivate)));
        il.Add(Instruction.Create(OpCodes.Endfinally));
        foreach (var instruction in tail) il.Add(instruction);
        body.ExceptionHandlers.Add(new ExceptionHandler(ExceptionHandlerType.Fault)
        {
            TryStart = tryStart,
            TryEnd = fault,
            HandlerStart = fault,
            HandlerEnd = end,
        });
    }
}
