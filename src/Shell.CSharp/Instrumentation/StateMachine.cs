using CodeTracer.Core.Probes;
using CodeTracer.Core.Recording;
using CodeTracer.Core.TraceFilter;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// A state machine's <c>MoveNext</c>: what its return means is decided when it runs
/// (<see cref="CodeTracer.Core.Recording.Capture.Resumed"/>). An iterator's <c>true</c> is
/// a <c>yield return</c> of <c>&lt;&gt;2__current</c>, its <c>false</c> the end. An async
/// method or async iterator signals its builder or promise (<c>SetResult</c>,
/// <c>SetException</c>) when it finishes, and an async iterator also at each
/// <c>yield return</c>: right before that call the state (<c>-2</c> finished, below
/// <c>-2</c> at a yield) and the yielded value are kept in locals. A return without
/// that signal is a suspension at an <c>await</c>. The locals, not the fields, are read
/// at the return: a continuation run inline by the signal may resume the same machine
/// and change its fields before this step returns.
/// </summary>
internal sealed record StateMachine(FieldReference State, FieldDefinition? Current, StateMachine.Kinds Kind)
{
    /// <summary>
    /// The one preparation step, once the steps are in place: adds the locals the return reads
    /// to <paramref name="method"/> and finds the builder and promise calls that complete a step.
    /// </summary>
    public PreparedMachine Prepare(MethodDefinition method)
    {
        if (Kind == Kinds.Iterator) return new PreparedMachine(this, null, null, null, []);
        var body = method.Body;
        var state = new VariableDefinition(method.Module.TypeSystem.Int32);
        body.Variables.Add(state);
        var yielded = Kind == Kinds.AsyncIterator ? new VariableDefinition(method.Module.TypeSystem.Object) : null;
        var result = Kind == Kinds.AsyncIterator ? null : new VariableDefinition(method.Module.TypeSystem.Object);
        body.Variables.Add(yielded ?? result!);
        var completions = body.Instructions
            .Where(i => i.OpCode.Code is Code.Call or Code.Callvirt && i.Operand is MethodReference { Name: "SetResult" or "SetException" } target
                && (target.DeclaringType.Name.StartsWith("Async", StringComparison.Ordinal)
                    || target.DeclaringType.Name.StartsWith("PoolingAsync", StringComparison.Ordinal)
                    || target.DeclaringType.Name.StartsWith("ManualResetValueTaskSourceCore", StringComparison.Ordinal)))
            .Select(call => new Completion(call, BeforeCompletion(call, state, yielded, result)))
            .ToList();
        return new PreparedMachine(this, state, yielded, result, completions);
    }

    // The state (and the yielded value, or the result) copied to the locals right before the signal.
    private IReadOnlyList<Instruction> BeforeCompletion(Instruction call, VariableDefinition state, VariableDefinition? yielded, VariableDefinition? result)
    {
        var code = new List<Instruction>
        {
            Instruction.Create(OpCodes.Ldarg_0), Instruction.Create(OpCodes.Ldfld, State), Instruction.Create(OpCodes.Stloc, state),
        };
        if (yielded is not null)
        {
            code.Add(Instruction.Create(OpCodes.Ldarg_0));
            code.AddRange(LoadCurrentBoxed());
            code.Add(Instruction.Create(OpCodes.Stloc, yielded));
        }
        // An async Task<T>'s result, the argument on top of the stack: boxed into a local
        // (`box` of a reference type changes nothing).
        if (result is not null && call.Operand is MethodReference { Name: "SetResult", Parameters.Count: 1 } setResult
            && setResult.DeclaringType is GenericInstanceType { GenericArguments.Count: 1 } builder)
            code.AddRange([
                Instruction.Create(OpCodes.Dup), Instruction.Create(OpCodes.Box, builder.GenericArguments[0]),
                Instruction.Create(OpCodes.Stloc, result),
            ]);
        return code;
    }

    /// <summary>Pushes <c>&lt;&gt;2__current</c> of the machine on the stack, boxed.</summary>
    internal IEnumerable<Instruction> LoadCurrentBoxed()
    {
        yield return Instruction.Create(OpCodes.Ldfld, GeneratedCode.InsideOwnType(Current!));
        var type = Modifiers.Strip(Current!.FieldType);
        if (type.IsValueType || type.IsGenericParameter)
            yield return Instruction.Create(OpCodes.Box, type);
    }

    public enum Kinds { Async, Iterator, AsyncIterator }

    public static readonly VariableSlot ReturnSlot = new("<return_value>", "object", Shape.Plain, CodeTracer.Core.Recording.Capture.Resumed, -1);

    public static StateMachine? Of(MethodDefinition method)
    {
        if (method.Name != "MoveNext" || GeneratedCode.KickoffOf(method) is null) return null;
        var fields = method.DeclaringType.Fields;
        if (fields.FirstOrDefault(f => f.Name == "<>1__state") is not { } state) return null;
        var current = fields.FirstOrDefault(f => f.Name == "<>2__current");
        var kind = Modifiers.Strip(method.ReturnType).MetadataType == MetadataType.Boolean && current is not null ? Kinds.Iterator
            : Modifiers.ReturnsVoid(method) ? (current is null ? Kinds.Async : Kinds.AsyncIterator)
            : (Kinds?)null;
        return kind is { } k ? new StateMachine(GeneratedCode.InsideOwnType(state), current, k) : null;
    }

    /// <summary>
    /// The type of what a step hands out: the <c>T</c> of the user method's <c>Task&lt;T&gt;</c>,
    /// <c>ValueTask&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IAsyncEnumerable&lt;T&gt;</c> (or
    /// their enumerators), else its return type: what the filter judges the result by.
    /// </summary>
    public static TypeReference ResultType(MethodDefinition kickoff) =>
        Modifiers.Strip(kickoff.ReturnType) is GenericInstanceType { GenericArguments.Count: 1 } generic
        && generic.ElementType.FullName is "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1"
            or "System.Collections.Generic.IEnumerable`1" or "System.Collections.Generic.IEnumerator`1"
            or "System.Collections.Generic.IAsyncEnumerable`1" or "System.Collections.Generic.IAsyncEnumerator`1"
            ? generic.GenericArguments[0]
            : kickoff.ReturnType;
}

/// <summary>A builder or promise call that completes a step, and the code that goes right before it.</summary>
internal sealed record Completion(Instruction Call, IReadOnlyList<Instruction> Code);

/// <summary>
/// A state machine prepared for rewriting (<see cref="StateMachine.Prepare"/>): the locals its
/// completions fill and its return reads (none for an iterator, which reads its fields at the
/// return), and the completions.
/// </summary>
internal sealed record PreparedMachine(
    StateMachine Machine, VariableDefinition? State, VariableDefinition? Yielded, VariableDefinition? Result, IReadOnlyList<Completion> Completions)
{
    /// <summary>
    /// After the Return probe, the return value still on the stack: the value record. A
    /// result the filter redacts or drops (<paramref name="result"/>) is never written, only
    /// its place; one it allows is written under the method's field policy.
    /// </summary>
    public List<Instruction> Returned(ValueProbes probes, ValueAction result)
    {
        var end = Instruction.Create(OpCodes.Nop);
        var code = new List<Instruction>();
        void WriteMarker(Instruction first)
        {
            code.AddRange([first, Instruction.Create(OpCodes.Conv_I8), Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valInt)), Instruction.Create(OpCodes.Br, end)]);
        }
        void WriteCurrent(Instruction first)
        {
            code.Add(first); // a branch target: it stays first
            if (!result.IsAllow)
            {
                code.Add(Instruction.Create(OpCodes.Pop));
                code.Add(Instruction.Create(OpCodes.Call, probes.Call(result.IsRedact ? ProbeTable.valRedacted : ProbeTable.valDropped)));
            }
            else
            {
                if (first.OpCode.Code == Code.Ldarg_0) code.AddRange(Machine.LoadCurrentBoxed());
                if (probes.FieldPolicy == 0) code.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valObject)));
                else code.AddRange([Instruction.Create(OpCodes.Ldc_I4, probes.FieldPolicy), Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valObjectIn))]);
            }
            code.Add(Instruction.Create(OpCodes.Br, end));
        }
        switch (Machine.Kind)
        {
            case StateMachine.Kinds.Async:
            {
                // Suspended unless finished; finished: the result, or the marker without one.
                var suspended = Instruction.Create(OpCodes.Ldc_I4_0);
                var noResult = Instruction.Create(OpCodes.Ldc_I4_1);
                code.AddRange([
                    Instruction.Create(OpCodes.Ldloc, State!), Instruction.Create(OpCodes.Ldc_I4, -2), Instruction.Create(OpCodes.Bne_Un, suspended),
                    Instruction.Create(OpCodes.Ldloc, Result!), Instruction.Create(OpCodes.Brfalse, noResult),
                ]);
                WriteCurrent(Instruction.Create(OpCodes.Ldloc, Result!));
                WriteMarker(noResult);
                WriteMarker(suspended);
                break;
            }
            case StateMachine.Kinds.Iterator:
            {
                var finished = Instruction.Create(OpCodes.Ldc_I4_1);
                code.AddRange([Instruction.Create(OpCodes.Dup), Instruction.Create(OpCodes.Brfalse, finished)]);
                WriteCurrent(Instruction.Create(OpCodes.Ldarg_0));
                WriteMarker(finished);
                break;
            }
            case StateMachine.Kinds.AsyncIterator:
            {
                // state == -2: finished; state >= 0 (never signalled): at an await; else at a yield.
                var notFinished = Instruction.Create(OpCodes.Ldc_I4_0);
                var yielded = Instruction.Create(OpCodes.Ldloc, Yielded!);
                code.AddRange([
                    Instruction.Create(OpCodes.Ldloc, State!), Instruction.Create(OpCodes.Dup),
                    Instruction.Create(OpCodes.Ldc_I4, -2), Instruction.Create(OpCodes.Bne_Un, notFinished),
                    Instruction.Create(OpCodes.Pop),
                ]);
                WriteMarker(Instruction.Create(OpCodes.Ldc_I4_1));
                code.Add(notFinished);
                code.Add(Instruction.Create(OpCodes.Blt, yielded));
                WriteMarker(Instruction.Create(OpCodes.Ldc_I4_0));
                WriteCurrent(yielded);
                break;
            }
        }
        code.Add(end);
        return code;
    }
}
