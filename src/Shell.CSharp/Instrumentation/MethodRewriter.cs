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
    /// <param name="Load">The instructions that push the value.</param>
    /// <param name="NullCheck">For a variable read through a closure object that may not exist
    /// yet: pushes the object; null is written (nothing loaded) while it is null.</param>
    private sealed record Variable(string Name, ValuePlan Plan, Func<Instruction[]> Load, Func<Instruction>? NullCheck = null)
    {
        /// <summary>Its place in the frame's memory (<see cref="FrameMemory"/>).</summary>
        public int Place { get; set; } = -1;

        public VariableSlot Slot => Plan.Slot(Name, Place);

        public (int, ValuePlan, Func<Instruction[]>, Func<Instruction>?) Parts => (Place, Plan, Load, NullCheck);
    }

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
        valueAction ??= AllowAll;
        if (!method.HasBody) return false;
        var body = method.Body;
        var anchors = new DebugAnchors(method);
        var points = anchors.VisiblePoints();
        if (points.Count == 0) return false;

        // Everything that depends on the original offsets comes first.
        var arguments = Arguments(method, probes, valueAction);
        var sites = points
            .Select(p => (p.Point, p.At, Variables: WithLocals(arguments, LocalsAt(method, p.At.Offset, probes, valueAction))))
            .ToList();
        var returns = body.Instructions.Where(i => i.OpCode.Code == Code.Ret).ToList();
        var machine = StateMachine.Of(method);
        var returnPlan = IsVoid(method) || machine is not null ? null : probes.For(method.ReturnType).Apply(valueAction(ValueKind.Ret, "", method.ReturnType));
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
            InsertBefore(body, anchors, at, memory.Step(siteId, variables.Select(v => v.Parts).ToList()));
        }

        // Before the return probes, which read the locals the completions fill.
        if (machine is not null)
            foreach (var (call, code) in machine.Completions(method).ToList())
                InsertBefore(body, anchors, call, code);

        foreach (var ret in returns)
        {
            var code = new List<Instruction> { Instruction.Create(OpCodes.Ldloc, memory.Frame), Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.ret)) };
            if (machine is not null) code.AddRange(machine.Returned(probes, machineResult));
            else if (returnPlan is { Reads: true })
            {
                code.Add(Instruction.Create(OpCodes.Dup));
                code.AddRange(returnPlan.AfterLoad.Select(op => op.Create()));
            }
            if (activates) code.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.deactivate)));
            InsertBefore(body, anchors, ret, code);
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
        GuardUnwinding(method, probes, oldFirst, returns, activates, memory.Frame);
        // Probes on every line: run optimized from the first call instead of tier-0 code.
        if ((method.ImplAttributes & MethodImplAttributes.NoOptimization) == 0)
            method.ImplAttributes |= MethodImplAttributes.AggressiveOptimization;

        // A local read before its first assignment must see zero, not stack garbage.
        if (body.HasVariables) body.InitLocals = true;
        body.OptimizeMacros();
        return true;
    }

    internal static bool IsVoid(MethodDefinition method) => method.ReturnType.MetadataType == MetadataType.Void;

    /// <summary>
    /// Wraps the body after the entry probes in <c>try { body } fault { Probe.Unwind(); endfinally }</c>,
    /// so that an exception leaving the method is recorded. A <c>ret</c> can not leave a try
    /// block: each becomes <c>stloc result; leave End</c> (void: <c>leave End</c>), and
    /// <c>End: ldloc result; ret</c> follows the handler. The new handler is the method's
    /// last, so the existing ones (inner) come first, as nesting requires.
    /// </summary>
    /// <param name="tryStart">The first instruction after the entry probes.</param>
    /// <param name="returns">The method's <c>ret</c> instructions, their Return probes already before them.</param>
    private static void GuardUnwinding(MethodDefinition method, ValueProbes probes, Instruction tryStart, List<Instruction> returns, bool activates, VariableDefinition frame)
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
            if (IsVoid(method))
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
                var result = new VariableDefinition(WithoutModifiers(method.ReturnType));
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

    /// <summary>A local's type: the return type without its custom modifiers (<c>ref readonly</c>'s modreq).</summary>
    private static TypeReference WithoutModifiers(TypeReference type) =>
        type is IModifierType modified ? WithoutModifiers(modified.ElementType) : type;

    private static readonly ValueFilter AllowAll = (_, _, _) => ValueAction.Allow;

    /// <summary>The variable with the filter's action applied, or null when the filter drops it.</summary>
    private static Variable? Filtered(ValueKind kind, string name, TypeReference type, ValuePlan plan, Func<Instruction[]> load, ValueFilter valueAction)
    {
        var action = valueAction(kind, name, type);
        return action.IsDrop ? null : new Variable(name, plan.Apply(action), load);
    }

    /// <summary>
    /// The arguments shown at entry. A state machine's <c>MoveNext</c> shows its user method's
    /// (the hoisted copies, <c>this</c> from <c>&lt;&gt;4__this</c>); a lambda in a closure class
    /// shows, instead of the closure, its parameters and then the captured variables; a local
    /// function's closure struct parameter becomes the captured variables.
    /// </summary>
    private static List<Variable> Arguments(MethodDefinition method, ValueProbes probes, ValueFilter valueAction)
    {
        var arguments = new List<Variable?>();
        if (GeneratedCode.KickoffOf(method) is { } kickoff)
        {
            var fields = method.DeclaringType.Fields.Where(f => !f.IsStatic).ToList();
            if (fields.FirstOrDefault(f => f.Name == GeneratedCode.ThisField) is { } self)
                arguments.Add(FieldOfThis(ValueKind.Arg, "this", self, probes, valueAction));
            foreach (var parameter in kickoff.Parameters)
                if (fields.FirstOrDefault(f => f.Name == parameter.Name) is { } hoisted)
                    arguments.Add(FieldOfThis(ValueKind.Arg, hoisted.Name, hoisted, probes, valueAction));
            return arguments.OfType<Variable>().ToList();
        }

        // A closure's lambdas (an F# closure's Invoke too), and those capturing nothing (on the compiler's singleton `<>c`).
        var closure = method.HasThis
            && (GeneratedCode.IsDisplayClass(method.DeclaringType) || method.DeclaringType.Name == "<>c" || GeneratedCode.IsFSharpClosure(method.DeclaringType));
        if (method.HasThis && !closure)
        {
            var self = method.Body.ThisParameter;
            arguments.Add(Filtered(ValueKind.Arg, "this", method.DeclaringType, probes.ForThis(method), () => [Instruction.Create(OpCodes.Ldarg, self)], valueAction));
        }
        if (closure && method.DeclaringType.Fields.FirstOrDefault(f => f.Name == GeneratedCode.ThisField) is { } outer)
            arguments.Add(FieldOfThis(ValueKind.Arg, "this", outer, probes, valueAction));
        var captured = new List<Variable?>();
        foreach (var parameter in method.Parameters)
        {
            if (GeneratedCode.IsDisplayClass(parameter.ParameterType))
            {
                // A local function's closure struct, passed by reference.
                if (DisplayNames.WithoutModifiers(parameter.ParameterType) is ByReferenceType { ElementType: TypeDefinition display })
                    foreach (var field in CapturedFields(display))
                        captured.Add(Filtered(ValueKind.Local, field.Name, field.FieldType, probes.For(field.FieldType),
                            () => [Instruction.Create(OpCodes.Ldarg, parameter), Instruction.Create(OpCodes.Ldfld, field)], valueAction));
                continue;
            }
            var name = string.IsNullOrEmpty(parameter.Name) ? "arg" + parameter.Index : parameter.Name;
            arguments.Add(Filtered(ValueKind.Arg, name, parameter.ParameterType, probes.For(parameter.ParameterType), () => [Instruction.Create(OpCodes.Ldarg, parameter)], valueAction));
        }
        if (closure)
            captured.AddRange(Captured(GeneratedCode.SelfInstance(method.DeclaringType), () => [Instruction.Create(OpCodes.Ldarg_0)], probes, valueAction));
        return arguments.Concat(captured).OfType<Variable>().ToList();
    }

    /// <summary>
    /// The captured variables of the closure <paramref name="load"/> pushes: its fields with source
    /// names and, through a nested closure's link to its enclosing one (<c>CS$&lt;&gt;8__locals…</c>),
    /// the enclosing closure's, so that a lambda in a lambda sees the outer method's variables too.
    /// </summary>
    private static IEnumerable<Variable?> Captured(TypeReference closure, Func<Instruction[]> load, ValueProbes probes, ValueFilter valueAction)
    {
        foreach (var field in closure.Resolve().Fields.Where(f => !f.IsStatic))
        {
            var reference = GeneratedCode.On(closure, field);
            Func<Instruction[]> read = () => [.. load(), Instruction.Create(OpCodes.Ldfld, reference)];
            if (IsClosureLocal(field.Name) && GeneratedCode.IsDisplayClass(field.FieldType))
                foreach (var outer in Captured(field.FieldType, read, probes, valueAction)) yield return outer;
            else if (!IsCompilerTemporary(field.Name))
                yield return Filtered(ValueKind.Local, field.Name, field.FieldType, probes.For(field.FieldType), read, valueAction);
        }
    }

    /// <summary>The captured variables of a closure type: its fields with source names.</summary>
    private static IEnumerable<FieldDefinition> CapturedFields(TypeDefinition display) =>
        display.Fields.Where(f => !f.IsStatic && !IsCompilerTemporary(f.Name));

    /// <summary>A field of the method's own <c>this</c> (a closure or a state machine) shown as a variable.</summary>
    private static Variable? FieldOfThis(ValueKind kind, string name, FieldDefinition field, ValueProbes probes, ValueFilter valueAction)
    {
        var reference = GeneratedCode.InsideOwnType(field);
        return Filtered(kind, name, field.FieldType, probes.For(field.FieldType),
            () => [Instruction.Create(OpCodes.Ldarg_0), Instruction.Create(OpCodes.Ldfld, reference)], valueAction);
    }

    // The locals in scope at an IL offset, outermost scope first; a name declared again
    // in an inner scope replaces the outer one in place.
    private static List<Variable> LocalsAt(MethodDefinition method, int offset, ValueProbes probes, ValueFilter valueAction)
    {
        var found = new List<VariableDebugInformation>();
        if (method.DebugInformation.Scope is { } root) Collect(root, offset, found);
        var locals = new List<Variable?>();
        // An async method's or iterator's locals live in its state machine's fields, in
        // scope where the symbols' hoisted-local scopes say (everywhere without them).
        if (GeneratedCode.KickoffOf(method) is not null)
        {
            var scopes = method.CustomDebugInformations.OfType<StateMachineScopeDebugInformation>().FirstOrDefault()?.Scopes;
            foreach (var field in method.DeclaringType.Fields.Where(f => !f.IsStatic))
                if (GeneratedCode.HoistedLocal(field.Name) is { } name && InHoistedScope(scopes, field.Name, offset))
                    locals.Add(FieldOfThis(ValueKind.Local, name, field, probes, valueAction));
        }
        foreach (var v in found)
        {
            var local = method.Body.Variables[v.Index];
            if (!IsClosureLocal(v.Name))
            {
                locals.Add(Filtered(ValueKind.Local, v.Name, local.VariableType, probes.For(local.VariableType), () => [Instruction.Create(OpCodes.Ldloc, local)], valueAction));
                continue;
            }
            // The closure that holds the variables lambdas capture: its fields, shown as locals.
            if (local.VariableType is not TypeDefinition display || !GeneratedCode.IsDisplayClass(display)) continue;
            Func<Instruction>? nullCheck = display.IsValueType ? null : () => Instruction.Create(OpCodes.Ldloc, local);
            foreach (var field in CapturedFields(display))
                locals.Add(Filtered(ValueKind.Local, field.Name, field.FieldType, probes.For(field.FieldType),
                    () => [Instruction.Create(OpCodes.Ldloc, local), Instruction.Create(OpCodes.Ldfld, field)], valueAction) is { } captured
                    ? captured with { NullCheck = nullCheck }
                    : null);
        }
        return locals.OfType<Variable>().ToList();
    }

    /// <summary>
    /// Whether a hoisted local (<c>&lt;x&gt;5__N</c>, slot N-1 of the symbols' hoisted-local
    /// scopes) is in scope at an IL offset; true when the symbols say nothing about it.
    /// </summary>
    private static bool InHoistedScope(IList<StateMachineScope>? scopes, string fieldName, int offset)
    {
        var suffix = fieldName[(fieldName.LastIndexOf("__", StringComparison.Ordinal) + 2)..];
        if (scopes is null || !int.TryParse(suffix, out var slot) || slot < 1 || slot > scopes.Count) return true;
        var scope = scopes[slot - 1];
        if (scope.Start.IsEndOfMethod) return true;
        return scope.Start.Offset <= offset && (scope.End.IsEndOfMethod || offset < scope.End.Offset);
    }

    /// <summary>The compiler's local for a closure object (<c>CS$&lt;&gt;8__locals0</c>).</summary>
    private static bool IsClosureLocal(string name) => name.StartsWith("CS$<>8__locals", StringComparison.Ordinal);

    private static void Collect(ScopeDebugInformation scope, int offset, List<VariableDebugInformation> found)
    {
        var inside = scope.Start.Offset <= offset && (scope.End.IsEndOfMethod || offset < scope.End.Offset);
        if (!inside) return;
        foreach (var variable in scope.Variables.Where(v => !v.IsDebuggerHidden && (!IsCompilerTemporary(v.Name) || IsClosureLocal(v.Name))))
        {
            var shadowed = found.FindIndex(v => v.Name == variable.Name);
            if (shadowed >= 0) found[shadowed] = variable;
            else found.Add(variable);
        }
        foreach (var inner in scope.Scopes) Collect(inner, offset, found);
    }

    /// <summary>Compiler temporaries that never show: <c>&lt;...&gt;</c> names and <c>CS$...</c>.</summary>
    internal static bool IsCompilerTemporary(string name) =>
        name.Length == 0 || name.StartsWith('<') || name.StartsWith("CS$", StringComparison.Ordinal);

    private static List<Variable> WithLocals(List<Variable> arguments, List<Variable> locals)
    {
        var all = new List<Variable>(arguments);
        foreach (var local in locals)
        {
            var shadowed = all.FindIndex(v => v.Name == local.Name);
            if (shadowed >= 0) all[shadowed] = local;
            else all.Add(local);
        }
        return all;
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


    private static void InsertBefore(MethodBody body, DebugAnchors anchors, Instruction target, List<Instruction> code)
    {
        var index = body.Instructions.IndexOf(target);
        for (var i = 0; i < code.Count; i++) body.Instructions.Insert(index + i, code[i]);
        Redirect(body, target, code[0]);
        anchors.MovePoints(target, code[0]);
        anchors.MoveScopes(target, code[0]);
    }

    private static void Redirect(MethodBody body, Instruction from, Instruction to)
    {
        foreach (var instruction in body.Instructions)
        {
            if (instruction.Operand == from)
                instruction.Operand = to;
            else if (instruction.Operand is Instruction[] targets)
                for (var i = 0; i < targets.Length; i++)
                    if (targets[i] == from) targets[i] = to;
        }
        foreach (var handler in body.ExceptionHandlers)
        {
            if (handler.TryStart == from) handler.TryStart = to;
            if (handler.TryEnd == from) handler.TryEnd = to;
            if (handler.HandlerStart == from) handler.HandlerStart = to;
            if (handler.HandlerEnd == from) handler.HandlerEnd = to;
            if (handler.FilterStart == from) handler.FilterStart = to;
        }
    }

    /// <summary>
    /// Sequence points and scope bounds tied to instructions (Cecil shows only their
    /// offsets, which stop meaning anything once code is inserted), so that they can move
    /// with the code like branch targets.
    /// </summary>
    private sealed class DebugAnchors
    {
        private readonly MethodDebugInformation _debug;
        private readonly List<(SequencePoint Point, Instruction At)> _points = new();
        private readonly List<(ScopeDebugInformation Scope, Instruction Start, Instruction? End)> _scopes = new();

        public DebugAnchors(MethodDefinition method)
        {
            _debug = method.DebugInformation;
            var byOffset = new Dictionary<int, Instruction>();
            foreach (var instruction in method.Body.Instructions) byOffset.TryAdd(instruction.Offset, instruction);

            foreach (var point in _debug.SequencePoints)
                if (byOffset.TryGetValue(point.Offset, out var at))
                    _points.Add((point, at));
            if (_debug.Scope is { } root) AddScope(root, byOffset);
        }

        public List<(SequencePoint Point, Instruction At)> VisiblePoints() => _points.Where(p => !p.Point.IsHidden).ToList();

        public void MovePoints(Instruction from, Instruction to)
        {
            for (var i = 0; i < _points.Count; i++)
            {
                var (point, at) = _points[i];
                if (at != from) continue;
                var moved = new SequencePoint(to, point.Document)
                {
                    StartLine = point.StartLine, StartColumn = point.StartColumn,
                    EndLine = point.EndLine, EndColumn = point.EndColumn,
                };
                _debug.SequencePoints[_debug.SequencePoints.IndexOf(point)] = moved;
                _points[i] = (moved, to);
            }
        }

        public void MoveScopes(Instruction from, Instruction to)
        {
            for (var i = 0; i < _scopes.Count; i++)
            {
                var (scope, start, end) = _scopes[i];
                if (start == from)
                {
                    scope.Start = new InstructionOffset(to);
                    start = to;
                }
                if (end == from)
                {
                    scope.End = new InstructionOffset(to);
                    end = to;
                }
                _scopes[i] = (scope, start, end);
            }
        }

        private void AddScope(ScopeDebugInformation scope, Dictionary<int, Instruction> byOffset)
        {
            if (byOffset.TryGetValue(scope.Start.Offset, out var start))
            {
                Instruction? end = null;
                if (scope.End.IsEndOfMethod || byOffset.TryGetValue(scope.End.Offset, out end))
                    _scopes.Add((scope, start, end));
            }
            foreach (var inner in scope.Scopes) AddScope(inner, byOffset);
        }
    }
}
