using CodeTracer.Core.Recording;
using CodeTracer.Core.TraceFilter;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>A variable a probe shows: its source name, how its value is loaded and written, its place in the frame's memory.</summary>
/// <param name="Load">The instructions that push the value.</param>
/// <param name="NullCheck">For a variable read through a closure object that may not exist
/// yet: pushes the object; null is written (nothing loaded) while it is null.</param>
internal sealed record Variable(string Name, ValuePlan Plan, Func<Instruction[]> Load, Func<Instruction>? NullCheck = null)
{
    /// <summary>Its place in the frame's memory (<see cref="FrameMemory"/>).</summary>
    public int Place { get; set; } = -1;

    public VariableSlot Slot => Plan.Slot(Name, Place);

    public (int, ValuePlan, Func<Instruction[]>, Func<Instruction>?) Parts => (Place, Plan, Load, NullCheck);
}

/// <summary>
/// The variables a probe shows: the arguments at entry (a state machine's hoisted copies, a
/// closure's captured variables), the locals in scope at a sequence point, with the filter's
/// action applied. A local shadows an argument of the same name (the one shadowing rule).
/// </summary>
internal static class VisibleVariables
{
    internal static readonly ValueFilter AllowAll = (_, _, _) => ValueAction.Allow;

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
    internal static List<Variable> Arguments(MethodDefinition method, ValueProbes probes, ValueFilter valueAction)
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
                if (Modifiers.Strip(parameter.ParameterType) is ByReferenceType { ElementType: TypeDefinition display })
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
    internal static List<Variable> LocalsAt(MethodDefinition method, int offset, ValueProbes probes, ValueFilter valueAction)
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
                var variable = Filtered(ValueKind.Local, v.Name, local.VariableType, probes.For(local.VariableType), () => [Instruction.Create(OpCodes.Ldloc, local)], valueAction);
                // A ref local is null until its `ref` assignment, which comes after the steps of its scope's first lines.
                locals.Add(Modifiers.Strip(local.VariableType) is ByReferenceType && variable is not null
                    ? variable with { NullCheck = () => Instruction.Create(OpCodes.Ldloc, local) }
                    : variable);
                continue;
            }
            // The closure that holds the variables lambdas capture: its fields, shown as locals.
            if (Modifiers.Strip(local.VariableType) is not TypeDefinition display || !GeneratedCode.IsDisplayClass(display)) continue;
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
            Declare(found, variable, variable.Name, v => v.Name);
        foreach (var inner in scope.Scopes) Collect(inner, offset, found);
    }

    /// <summary>Compiler temporaries that never show: <c>&lt;...&gt;</c> names and <c>CS$...</c>.</summary>
    internal static bool IsCompilerTemporary(string name) =>
        name.Length == 0 || name.StartsWith('<') || name.StartsWith("CS$", StringComparison.Ordinal);

    /// <summary>The variables of a site: the arguments, then the locals in scope, each local shadowing an argument of its name.</summary>
    internal static List<Variable> WithLocals(List<Variable> arguments, List<Variable> locals)
    {
        var all = new List<Variable>(arguments);
        foreach (var local in locals) Declare(all, local, local.Name, v => v.Name);
        return all;
    }

    /// <summary>
    /// The one shadowing rule: a variable declared under a name already visible (an inner
    /// scope's local, a local named like an argument) takes the earlier one's place.
    /// </summary>
    private static void Declare<T>(List<T> visible, T variable, string name, Func<T, string> nameOf)
    {
        var shadowed = visible.FindIndex(v => nameOf(v) == name);
        if (shadowed >= 0) visible[shadowed] = variable;
        else visible.Add(variable);
    }
}
