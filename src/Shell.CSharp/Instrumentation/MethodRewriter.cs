using CodeTracer.Core.Probes;
using CodeTracer.Core.Recording;
using CodeTracer.Core.TraceFilter;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// The IL work for one method: an <c>Enter</c> probe with the arguments at the start, a
/// <c>Step</c> probe with the visible variables before every visible sequence point, a
/// <c>Return</c> probe with the return value before every <c>ret</c>. Code inserted before
/// an instruction takes its place: branches, switch targets, exception handler bounds,
/// sequence points and scope bounds that pointed at the instruction point at the probe,
/// so that loops and handlers go through it. The body after the entry probes runs in a
/// <c>try</c> whose <c>fault</c> handler calls <c>Unwind</c> when an exception leaves the method.
/// </summary>
internal static class MethodRewriter
{
    /// <summary>
    /// Instruments <paramref name="method"/> and adds it and its sites to the manifest.
    /// Returns false, leaving the method untouched, when it has no body or no visible
    /// sequence point.
    /// </summary>
    /// <param name="activates">The method matches <c>--activation</c>: its entry starts the
    /// recording and its return ends it.</param>
    /// <param name="valueAction">The filter's action for a value (kind, source name, declared type); null allows every value.</param>
    public static bool Instrument(
        MethodDefinition method, ValueProbes probes, ManifestBuilder manifest, bool activates = false,
        ValueFilter? valueAction = null)
    {
        valueAction ??= VisibleVariables.AllowAll;
        if (!method.HasBody) return false;
        var body = method.Body;
        var anchors = new IlSplicer.DebugAnchors(method);
        var points = anchors.VisiblePoints();
        if (points.Count == 0) return false;

        // Everything that depends on the original offsets comes first.
        var arguments = VisibleVariables.Arguments(method, probes, valueAction);
        var sites = points
            .Select(p => (p.Point, p.At, Variables: VisibleVariables.WithLocals(arguments, VisibleVariables.LocalsAt(method, p.At.Offset, probes, valueAction))))
            .ToList();
        var returns = body.Instructions.Where(i => i.OpCode.Code == Code.Ret).ToList();
        var machine = StateMachine.Of(method);
        var returnPlan = Modifiers.ReturnsVoid(method) || machine is not null ? null : probes.For(method.ReturnType).Apply(valueAction(ValueKind.Ret, "", method.ReturnType));
        var machineResult = machine is null ? ValueAction.Allow : valueAction(ValueKind.Ret, "", StateMachine.ResultType(GeneratedCode.KickoffOf(method)!));
        var returnSlot = machine is not null ? StateMachine.ReturnSlot
            : returnPlan?.Slot("<return_value>") ?? ManifestModule.voidReturn;

        var memory = new FrameMemory(method, probes);
        foreach (var variable in arguments.Concat(sites.SelectMany(s => s.Variables)))
            variable.Place = memory.PlaceOf(variable.Name, variable.Plan, variable.Load());

        var first = sites[0].Point;
        var methodId = manifest.AddMethod(new MethodEntry(
            DisplayNames.OfMethod(method),
            manifest.PathId(first.Document.Url),
            first.StartLine,
            arguments.Select(a => a.Slot).ToArray(),
            returnSlot,
            returnPlan is null && machine is null));

        body.SimplifyMacros();
        // A `tail.` call must be followed by `ret`; the Return probe goes in between.
        foreach (var instruction in body.Instructions.Where(i => i.OpCode.Code == Code.Tail).ToList())
            instruction.OpCode = OpCodes.Nop;

        foreach (var (point, at, variables) in sites)
        {
            var siteId = manifest.AddSite(new SiteEntry(
                methodId, manifest.PathId(point.Document.Url), point.StartLine, variables.Select(v => v.Slot).ToArray()));
            IlSplicer.InsertBefore(body, anchors, at, memory.Step(siteId, variables.Select(v => v.Parts).ToList()));
        }

        // Before the return probes, which read the locals the completions fill.
        var prepared = machine?.Prepare(method);
        foreach (var (call, code) in prepared?.Completions ?? [])
            IlSplicer.InsertBefore(body, anchors, call, code);

        foreach (var ret in returns)
        {
            var code = new List<Instruction> { Instruction.Create(OpCodes.Ldloc, memory.Frame), Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.ret)) };
            if (prepared is not null) code.AddRange(prepared.Returned(probes, machineResult));
            else if (returnPlan is { Reads: true })
            {
                code.Add(Instruction.Create(OpCodes.Dup));
                code.AddRange(returnPlan.AfterLoad.Select(op => op.Create()));
            }
            if (activates) code.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.deactivate)));
            IlSplicer.InsertBefore(body, anchors, ret, code);
        }

        // The entry probe runs once: a branch back to the first instruction must not reach
        // it, and a try block that starts there stays after it. Only scopes move.
        var entry = new List<Instruction>
        {
            Instruction.Create(OpCodes.Ldc_I4, methodId),
            Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.enter)),
            Instruction.Create(OpCodes.Stloc, memory.Frame),
        };
        foreach (var argument in arguments) entry.AddRange(Capture(argument.Plan, argument.Load, argument.NullCheck, probes));
        entry.AddRange(memory.AfterEntry(arguments.Select(a => a.Parts)));
        if (activates) entry.Insert(0, Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.activate)));
        var oldFirst = body.Instructions[0];
        for (var i = 0; i < entry.Count; i++) body.Instructions.Insert(i, entry[i]);
        anchors.MoveScopes(oldFirst, entry[0]);
        UnwindGuard.Add(method, probes, oldFirst, returns, activates, memory.Frame);
        // Probes on every line: run optimized from the first call instead of tier-0 code.
        if ((method.ImplAttributes & MethodImplAttributes.NoOptimization) == 0)
            method.ImplAttributes |= MethodImplAttributes.AggressiveOptimization;

        // A local read before its first assignment must see zero, not stack garbage.
        if (body.HasVariables) body.InitLocals = true;
        body.OptimizeMacros();
        return true;
    }

    /// <summary>The code that writes a variable's value (null while the closure <paramref name="nullCheck"/> pushes is null).</summary>
    internal static IEnumerable<Instruction> Capture(ValuePlan plan, Func<Instruction[]> loader, Func<Instruction>? nullCheck, ValueProbes probes)
    {
        if (!plan.Reads) yield break;
        var load = loader();
        Instruction? done = null;
        if (nullCheck is { } check)
        {
            done = Instruction.Create(OpCodes.Nop);
            yield return check();
            yield return Instruction.Create(OpCodes.Brtrue, load[0]);
            yield return Instruction.Create(OpCodes.Ldnull);
            yield return Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valObject));
            yield return Instruction.Create(OpCodes.Br, done);
        }
        foreach (var instruction in load) yield return instruction;
        foreach (var op in plan.AfterLoad) yield return op.Create();
        if (done is not null) yield return done;
    }
}
