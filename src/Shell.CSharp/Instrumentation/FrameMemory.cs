using CodeTracer.Core.Probes;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// Change-only capture for one method: a step writes a variable only when its value may
/// differ from what the frame last wrote for it. Each storage location a variable reads
/// (the same load instructions, type and name) is a <em>place</em> of the frame; the
/// manifest gives every read slot its place, and the converter shows, for a variable a
/// step did not write, the frame's last value of its place.
/// <list type="bullet">
/// <item>Primitives and strings (up to 64 places a method): a shadow local per place holds
/// the last value written, a bit of the <c>seen</c> local says one was; the step compares
/// in IL (a string by reference: strings are immutable) and calls nothing when equal.
/// A float or double equal to zero is always written (<c>0.0 == -0.0</c>).</item>
/// <item>Boxed values: <c>Probe.ValObjectAt</c> writes the value and takes it back when its
/// bytes equal those the frame last wrote at the place (the runtime's <see cref="CodeTracer.Runtime.Frame"/>).</item>
/// <item>Anything else (decimals, variables behind a closure that may not exist yet):
/// written at every step.</item>
/// </list>
/// The frame (<c>Probe.Enter</c>'s result) is kept in a local: a call that is not recorded
/// has none, and its steps write nothing. Tests compare this with a full snapshot
/// (<see cref="Session.TestHooks.FullSnapshot"/>), where every step writes every variable.
/// </summary>
internal sealed class FrameMemory
{
    /// <summary>Shadowed places, one bit each of the <c>seen</c> mask.</summary>
    private const int MaxShadowed = 64;

    private readonly MethodBody _body;
    private readonly ValueProbes _probes;
    private readonly Dictionary<string, int> _places = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (VariableDefinition Shadow, int Bit)> _shadows = new();
    private VariableDefinition? _seen;

    public FrameMemory(MethodDefinition method, ValueProbes probes)
    {
        _body = method.Body;
        _probes = probes;
        Frame = new VariableDefinition(probes.Call(ProbeTable.enter).ReturnType);
        _body.Variables.Add(Frame);
    }

    /// <summary>The local holding the call's frame.</summary>
    public VariableDefinition Frame { get; }

    /// <summary>The place of a variable that reads <paramref name="load"/> (-1 for one never read).</summary>
    public int PlaceOf(string name, ValuePlan plan, Instruction[] load)
    {
        if (!plan.Reads) return -1;
        var key = string.Join(";", load.Select(i => i.OpCode.Code + ":" + OperandKey(i.Operand))) + "|" + plan.TypeName + "|" + name;
        if (!_places.TryGetValue(key, out var place)) _places[key] = place = _places.Count;
        return place;
    }

    private static string OperandKey(object? operand) => operand switch
    {
        VariableDefinition local => "v" + local.Index,
        ParameterDefinition parameter => "p" + parameter.Index,
        MemberReference member => member.FullName,
        null => "",
        _ => operand.ToString() ?? "",
    };

    /// <summary>After the entry probes wrote the arguments: their shadows hold what was written.</summary>
    public IEnumerable<Instruction> AfterEntry(IEnumerable<(int Place, ValuePlan Plan, Func<Instruction[]> Load, Func<Instruction>? NullCheck)> arguments)
    {
        var mask = 0L;
        foreach (var (place, plan, load, nullCheck) in arguments)
        {
            if (!plan.Reads || nullCheck is not null || ShadowOf(place, plan) is not { } shadow) continue;
            foreach (var i in load()) yield return i;
            foreach (var op in plan.Convert) yield return op.Create();
            yield return Instruction.Create(OpCodes.Stloc, shadow.Shadow);
            mask |= 1L << shadow.Bit;
        }
        if (mask != 0)
        {
            yield return Instruction.Create(OpCodes.Ldc_I8, mask);
            yield return Instruction.Create(OpCodes.Stloc, Seen());
        }
    }

    /// <summary>
    /// The code of a step: the values that may have changed, then the Step probe; nothing when
    /// the call is not recorded.
    /// </summary>
    /// <param name="nullCheck">For a variable behind a closure that may be null: pushes the closure.</param>
    public List<Instruction> Step(int siteId, IReadOnlyList<(int Place, ValuePlan Plan, Func<Instruction[]> Load, Func<Instruction>? NullCheck)> variables)
    {
        var end = Instruction.Create(OpCodes.Nop);
        var code = new List<Instruction> { Instruction.Create(OpCodes.Ldloc, Frame), Instruction.Create(OpCodes.Brfalse, end) };
        for (var position = 0; position < variables.Count; position++)
        {
            var (place, plan, load, nullCheck) = variables[position];
            if (!plan.Reads) continue;
            if (Session.TestHooks.FullSnapshot) code.AddRange(Always(position, plan, load, nullCheck));
            else if (plan.IsObject) code.AddRange(Object(position, place, plan, load, nullCheck));
            else if (nullCheck is null && ShadowOf(place, plan) is { } shadow) code.AddRange(Shadowed(position, plan, load, shadow.Shadow, shadow.Bit));
            else code.AddRange(Always(position, plan, load, nullCheck));
        }
        code.AddRange([
            Instruction.Create(OpCodes.Ldloc, Frame), Instruction.Create(OpCodes.Ldc_I4, siteId),
            Instruction.Create(OpCodes.Call, _probes.Call(ProbeTable.step)), end,
        ]);
        return code;
    }

    // v = load; if (v != shadow || (seen & bit) == 0 [|| v == 0.0]) { shadow = v; ValAt(v, position, frame); seen |= bit; }
    private IEnumerable<Instruction> Shadowed(int position, ValuePlan plan, Func<Instruction[]> load, VariableDefinition shadow, int bit)
    {
        var write = Instruction.Create(OpCodes.Dup);
        var unchanged = Instruction.Create(OpCodes.Pop);
        var done = Instruction.Create(OpCodes.Nop);
        foreach (var i in load()) yield return i;
        foreach (var op in plan.Convert) yield return op.Create();
        yield return Instruction.Create(OpCodes.Dup);
        yield return Instruction.Create(OpCodes.Ldloc, shadow);
        yield return Instruction.Create(OpCodes.Bne_Un, write);
        if (IsFloating(plan.Probe!))
        {
            yield return Instruction.Create(OpCodes.Dup);
            yield return Instruction.Create(OpCodes.Ldc_R8, 0.0);
            yield return Instruction.Create(OpCodes.Beq, write);
        }
        yield return Instruction.Create(OpCodes.Ldloc, Seen());
        yield return Instruction.Create(OpCodes.Ldc_I8, 1L << bit);
        yield return Instruction.Create(OpCodes.And);
        yield return Instruction.Create(OpCodes.Brtrue, unchanged);
        yield return write;
        yield return Instruction.Create(OpCodes.Stloc, shadow);
        yield return Instruction.Create(OpCodes.Ldc_I4, position);
        yield return Instruction.Create(OpCodes.Ldloc, Frame);
        yield return Instruction.Create(OpCodes.Call, _probes.Call(AtProbe(plan.Probe!)));
        yield return Instruction.Create(OpCodes.Ldloc, Seen());
        yield return Instruction.Create(OpCodes.Ldc_I8, 1L << bit);
        yield return Instruction.Create(OpCodes.Or);
        yield return Instruction.Create(OpCodes.Stloc, Seen());
        yield return Instruction.Create(OpCodes.Br, done);
        yield return unchanged;
        yield return done;
    }

    // ValObjectAt(value or null, position, place, policy, frame): the runtime compares.
    private IEnumerable<Instruction> Object(int position, int place, ValuePlan plan, Func<Instruction[]> load, Func<Instruction>? nullCheck)
    {
        var loaded = load();
        var call = Instruction.Create(OpCodes.Ldc_I4, position);
        if (nullCheck is not null)
        {
            yield return nullCheck();
            yield return Instruction.Create(OpCodes.Brtrue, loaded[0]);
            yield return Instruction.Create(OpCodes.Ldnull);
            yield return Instruction.Create(OpCodes.Br, call);
        }
        foreach (var i in loaded) yield return i;
        foreach (var op in plan.Convert) yield return op.Create();
        yield return call;
        yield return Instruction.Create(OpCodes.Ldc_I4, place);
        yield return Instruction.Create(OpCodes.Ldc_I4, plan.FieldPolicy);
        yield return Instruction.Create(OpCodes.Ldloc, Frame);
        yield return Instruction.Create(OpCodes.Call, _probes.Call(ProbeTable.valObjectAt));
    }

    // At(position), then the value as the entry probes write it.
    private IEnumerable<Instruction> Always(int position, ValuePlan plan, Func<Instruction[]> load, Func<Instruction>? nullCheck)
    {
        yield return Instruction.Create(OpCodes.Ldc_I4, position);
        yield return Instruction.Create(OpCodes.Call, _probes.Call(ProbeTable.at));
        foreach (var i in MethodRewriter.Capture(plan, load, nullCheck, _probes)) yield return i;
    }

    private static ProbeRow AtProbe(ProbeRow value) =>
        ProbeTable.atFor(value) is { } fused ? fused.Value : throw new InvalidOperationException("no fused step probe for " + value.RuntimeMethod);

    private static bool IsFloating(ProbeRow row) => row.Equals(ProbeTable.valDouble) || row.Equals(ProbeTable.valSingle);

    /// <summary>The shadow of a place whose values compare in IL (null when it has none).</summary>
    private (VariableDefinition Shadow, int Bit)? ShadowOf(int place, ValuePlan plan)
    {
        if (_shadows.TryGetValue(place, out var known)) return known;
        if (plan.Probe is not { } row || plan.IsObject || row.Equals(ProbeTable.valDecimal) || _shadows.Count >= MaxShadowed) return null;
        var type = row.ParameterType switch
        {
            "System.Int64" => _body.Method.Module.TypeSystem.Int64,
            "System.UInt64" => _body.Method.Module.TypeSystem.UInt64,
            "System.Double" => _body.Method.Module.TypeSystem.Double,
            "System.Single" => _body.Method.Module.TypeSystem.Single,
            "System.Boolean" => _body.Method.Module.TypeSystem.Boolean,
            "System.Char" => _body.Method.Module.TypeSystem.Char,
            "System.String" => _body.Method.Module.TypeSystem.String,
            _ => null,
        };
        if (type is null) return null;
        var shadow = new VariableDefinition(type);
        _body.Variables.Add(shadow);
        var entry = (shadow, _shadows.Count);
        _shadows[place] = entry;
        return entry;
    }

    private VariableDefinition Seen()
    {
        if (_seen is null)
        {
            _seen = new VariableDefinition(_body.Method.Module.TypeSystem.Int64);
            _body.Variables.Add(_seen);
        }
        return _seen;
    }
}
