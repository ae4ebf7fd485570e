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
    private VariableDefinition? _state;
    private VariableDefinition? _yielded;
    private VariableDefinition? _result;

    /// <summary>The builder and promise methods that complete a step: the code to run before each call.</summary>
    public IEnumerable<(Instruction Call, List<Instruction> Code)> Completions(MethodDefinition method)
    {
        if (Kind == Kinds.Iterator) yield break;
        var body = method.Body;
        _state = new VariableDefinition(method.Module.TypeSystem.Int32);
        body.Variables.Add(_state);
        if (Kind == Kinds.AsyncIterator)
        {
            _yielded = new VariableDefinition(method.Module.TypeSystem.Object);
            body.Variables.Add(_yielded);
        }
        else
        {
            _result = new VariableDefinition(method.Module.TypeSystem.Object);
            body.Variables.Add(_result);
        }
        var calls = body.Instructions
            .Where(i => i.OpCode.Code is Code.Call or Code.Callvirt && i.Operand is MethodReference { Name: "SetResult" or "SetException" } target
                && (target.DeclaringType.Name.StartsWith("Async", StringComparison.Ordinal)
                    || target.DeclaringType.Name.StartsWith("PoolingAsync", StringComparison.Ordinal)
                    || target.DeclaringType.Name.StartsWith("ManualResetValueTaskSourceCore", StringComparison.Ordinal)))
            .ToList();
        foreach (var call in calls)
        {
            var code = new List<Instruction>
            {
                Instruction.Create(OpCodes.Ldarg_0), Instruction.Create(OpCodes.Ldfld, State), Instruction.Create(OpCodes.Stloc, _state),
            };
            if (_yielded is not null)
            {
                code.Add(Instruction.Create(OpCodes.Ldarg_0));
                code.AddRange(LoadCurrentBoxed());
                code.Add(Instruction.Create(OpCodes.Stloc, _yielded));
            }
            // An async Task<T>'s result, the argument on top of the stack: boxed into a local
            // (`box` of a reference type changes nothing).
            if (_result is not null && call.Operand is MethodReference { Name: "SetResult", Parameters.Count: 1 } setResult
                && setResult.DeclaringType is GenericInstanceType { GenericArguments.Count: 1 } builder)
                code.AddRange([
                    Instruction.Create(OpCodes.Dup), Instruction.Create(OpCodes.Box, builder.GenericArguments[0]),
                    Instruction.Create(OpCodes.Stloc, _result),
                ]);
            yield return (call, code);
        }
    }

    private IEnumerable<Instruction> LoadCurrentBoxed()
    {
        yield return Instruction.Create(OpCodes.Ldfld, GeneratedCode.InsideOwnType(Current!));
        if (Current!.FieldType.IsValueType || Current.FieldType.IsGenericParameter)
            yield return Instruction.Create(OpCodes.Box, Current.FieldType);
    }

    public enum Kinds { Async, Iterator, AsyncIterator }

    public static readonly VariableSlot ReturnSlot = new("<return_value>", "object", Shape.Plain, CodeTracer.Core.Recording.Capture.Resumed, -1);

    public static StateMachine? Of(MethodDefinition method)
    {
        if (method.Name != "MoveNext" || GeneratedCode.KickoffOf(method) is null) return null;
        var fields = method.DeclaringType.Fields;
        if (fields.FirstOrDefault(f => f.Name == "<>1__state") is not { } state) return null;
        var current = fields.FirstOrDefault(f => f.Name == "<>2__current");
        var kind = method.ReturnType.MetadataType == MetadataType.Boolean && current is not null ? Kinds.Iterator
            : MethodRewriter.IsVoid(method) ? (current is null ? Kinds.Async : Kinds.AsyncIterator)
            : (Kinds?)null;
        return kind is { } k ? new StateMachine(GeneratedCode.InsideOwnType(state), current, k) : null;
    }

    /// <summary>
    /// The type of what a step hands out: the <c>T</c> of the user method's <c>Task&lt;T&gt;</c>,
    /// <c>ValueTask&lt;T&gt;</c>, <c>IEnumerable&lt;T&gt;</c>, <c>IAsyncEnumerable&lt;T&gt;</c> (or
    /// their enumerators), else its return type: what the filter judges the result by.
    /// </summary>
    public static TypeReference ResultType(MethodDefinition kickoff) =>
        DisplayNames.WithoutModifiers(kickoff.ReturnType) is GenericInstanceType { GenericArguments.Count: 1 } generic
        && generic.ElementType.FullName is "System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1"
            or "System.Collections.Generic.IEnumerable`1" or "System.Collections.Generic.IEnumerator`1"
            or "System.Collections.Generic.IAsyncEnumerable`1" or "System.Collections.Generic.IAsyncEnumerator`1"
            ? generic.GenericArguments[0]
            : kickoff.ReturnType;

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
                if (first.OpCode.Code == Code.Ldarg_0) code.AddRange(LoadCurrentBoxed());
                if (probes.FieldPolicy == 0) code.Add(Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valObject)));
                else code.AddRange([Instruction.Create(OpCodes.Ldc_I4, probes.FieldPolicy), Instruction.Create(OpCodes.Call, probes.Call(ProbeTable.valObjectIn))]);
            }
            code.Add(Instruction.Create(OpCodes.Br, end));
        }
        switch (Kind)
        {
            case Kinds.Async:
            {
                // Suspended unless finished; finished: the result, or the marker without one.
                var suspended = Instruction.Create(OpCodes.Ldc_I4_0);
                var noResult = Instruction.Create(OpCodes.Ldc_I4_1);
                code.AddRange([
                    Instruction.Create(OpCodes.Ldloc, _state!), Instruction.Create(OpCodes.Ldc_I4, -2), Instruction.Create(OpCodes.Bne_Un, suspended),
                    Instruction.Create(OpCodes.Ldloc, _result!), Instruction.Create(OpCodes.Brfalse, noResult),
                ]);
                WriteCurrent(Instruction.Create(OpCodes.Ldloc, _result!));
                WriteMarker(noResult);
                WriteMarker(suspended);
                break;
            }
            case Kinds.Iterator:
            {
                var finished = Instruction.Create(OpCodes.Ldc_I4_1);
                code.AddRange([Instruction.Create(OpCodes.Dup), Instruction.Create(OpCodes.Brfalse, finished)]);
                WriteCurrent(Instruction.Create(OpCodes.Ldarg_0));
                WriteMarker(finished);
                break;
            }
            case Kinds.AsyncIterator:
            {
                // state == -2: finished; state >= 0 (never signalled): at an await; else at a yield.
                var notFinished = Instruction.Create(OpCodes.Ldc_I4_0);
                var yielded = Instruction.Create(OpCodes.Ldloc, _yielded!);
                code.AddRange([
                    Instruction.Create(OpCodes.Ldloc, _state!), Instruction.Create(OpCodes.Dup),
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
