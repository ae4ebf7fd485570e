using System.Globalization;
using CodeTracer.Core.Probes;
using CodeTracer.Core.Recording;
using CodeTracer.Core.TraceFilter;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>One IL instruction to emit, kept as a template so that every call site gets its own copy.</summary>
internal readonly record struct IlOp(OpCode Code, TypeReference? Type = null, MethodReference? Method = null, int? Int32 = null)
{
    public Instruction Create() =>
        Type is not null ? Instruction.Create(Code, Type)
        : Method is not null ? Instruction.Create(Code, Method)
        : Int32 is { } i ? Instruction.Create(Code, i)
        : Instruction.Create(Code);
}

/// <summary>
/// How one variable of a declared type reaches the runtime: the instructions that follow
/// the load of the variable (<c>ldobj</c> for a reference, a conversion or <c>box</c>, then
/// the value probe call), and how the manifest describes it. A <see cref="Capture.Fixed"/>
/// plan emits nothing. <paramref name="Convert"/> is the part before the call, which goes
/// to <paramref name="Probe"/>'s row (with the field policy for <c>ValObjectIn</c>).
/// </summary>
internal sealed record ValuePlan(
    string TypeName, Shape Shape, Capture Capture, IReadOnlyList<IlOp> AfterLoad, IReadOnlyList<IlOp> Convert, ProbeRow? Probe, int FieldPolicy)
{
    public bool Reads => Capture.IsRead;

    /// <summary>A boxed value, written by the runtime's object writer.</summary>
    public bool IsObject => Probe is { } row && row.Writes.IsAnyValue;

    /// <param name="frame">Its place in the frame's memory (-1: none).</param>
    public VariableSlot Slot(string name, int frame = -1) => new(name, TypeName, Shape, Capture, Reads ? frame : -1);

    /// <summary>The plan after a filter's decision: a redacted or dropped value is never read.</summary>
    public ValuePlan Apply(ValueAction action) =>
        action.IsRedact ? this with { Capture = Capture.Redacted, AfterLoad = [], Convert = [], Probe = null }
        : action.IsDrop ? this with { Capture = Capture.Dropped, AfterLoad = [], Convert = [], Probe = null }
        : this;
}

/// <summary>
/// The declared type → value probe decision for one module, driven by Core's
/// <see cref="ProbeTable"/>, and the module's references to the runtime's
/// <c>CodeTracer.Runtime.Probe</c> methods (imported by the rows' <c>RuntimeMethod</c>).
/// </summary>
internal sealed class ValueProbes
{
    private static readonly HashSet<string> Unsigned = new(StringComparer.Ordinal)
    {
        "System.Byte", "System.UInt16", "System.UInt32", "System.UInt64", "System.UIntPtr", "System.Char", "System.Boolean",
    };

    private readonly ModuleDefinition _module;
    private readonly TypeDefinition _runtimeProbe;
    private readonly Dictionary<string, MethodReference> _imported = new(StringComparer.Ordinal);

    /// <param name="module">The module being instrumented.</param>
    /// <param name="runtimeProbe"><c>CodeTracer.Runtime.Probe</c>, read from the runtime's own dll.</param>
    public ValueProbes(ModuleDefinition module, TypeDefinition runtimeProbe)
    {
        _module = module;
        _runtimeProbe = runtimeProbe;
    }

    /// <summary>The module's reference to the runtime method of a probe row (imported once).</summary>
    public MethodReference Call(ProbeRow row)
    {
        if (_imported.TryGetValue(row.RuntimeMethod, out var known)) return known;

        var definition = _runtimeProbe.Methods.Single(m => m.Name == row.RuntimeMethod && m.IsStatic && m.IsPublic);
        var referencesBefore = _module.AssemblyReferences.ToList();
        var reference = _module.ImportReference(definition);

        // The runtime is compiled against its own reference assemblies (System.Runtime 8.0):
        // point its non-primitive parameter types (decimal) at this module's core library,
        // and drop the core library reference the import added. Primitive types are written
        // as element types and need no reference at all.
        var runtimeName = _runtimeProbe.Module.Assembly.Name.Name;
        foreach (var parameter in reference.Parameters)
        {
            var type = parameter.ParameterType;
            if (type.MetadataType is MetadataType.ValueType or MetadataType.Class && type.Scope is AssemblyNameReference scope && scope.Name != runtimeName)
                parameter.ParameterType = new TypeReference(type.Namespace, type.Name, _module, _module.TypeSystem.CoreLibrary, type.IsValueType);
        }
        foreach (var added in _module.AssemblyReferences.Except(referencesBefore).Where(r => r.Name != runtimeName).ToList())
            _module.AssemblyReferences.Remove(added);

        _imported[row.RuntimeMethod] = reference;
        return reference;
    }

    /// <summary>The plan for a variable (argument, local, <c>this</c>, return value) of a declared type.</summary>
    public ValuePlan For(TypeReference declared)
    {
        var type = Modifiers.Strip(declared);
        switch (type)
        {
            case ByReferenceType byRef:
                var element = byRef.ElementType;
                var inner = For(element);
                return inner.Reads
                    ? inner with { AfterLoad = [new IlOp(OpCodes.Ldobj, element), .. inner.AfterLoad], Convert = [new IlOp(OpCodes.Ldobj, element), .. inner.Convert] }
                    : inner;
            case PointerType or FunctionPointerType or PinnedType:
                return Fixed(type);
            case GenericParameter parameter:
                // `allows ref struct` (GenericParameterAttributes.AllowByRefLike): cannot be boxed.
                return ((int)parameter.Attributes & 0x0020) != 0
                    ? Fixed(type)
                    : Boxed(type, [new IlOp(OpCodes.Box, type)]);
        }

        var row = ProbeTable.valueProbeFor(type.FullName);
        if (row.RuntimeMethod != ProbeTable.valObject.RuntimeMethod)
            return Read(type, Shape.Plain, row, [.. Widen(type.FullName, row)]);
        if (!type.IsValueType)
            return Boxed(type, []);
        if (type.FullName == "System.TypedReference")
            return Fixed(type);

        // A value type: an enum, a ref struct, or a struct to box. Without its definition
        // there is no telling which, so it is not read.
        var definition = TryResolve(type);
        if (definition is null || IsByRefLike(definition))
            return Fixed(type);
        if (definition.IsEnum)
        {
            var underlying = definition.Fields.First(f => !f.IsStatic).FieldType.FullName;
            return Read(type, EnumShape(definition), ProbeTable.valInt, [.. Widen(underlying, ProbeTable.valInt)]);
        }
        return Boxed(type, [new IlOp(OpCodes.Box, type)]);
    }

    /// <summary>
    /// The plan for <c>this</c> of <paramref name="method"/>: the object; in a struct, the struct
    /// its managed pointer points to, read like a <c>ref</c> parameter. Not read where that is not
    /// safe or possible: in a struct's constructor (the memory may not be initialized yet), in a
    /// ref struct, in a generic struct (its instantiation is not known here).
    /// </summary>
    public ValuePlan ForThis(MethodDefinition method)
    {
        var type = method.DeclaringType;
        if (!type.IsValueType) return Boxed(type, []);
        if (method.IsConstructor || type.HasGenericParameters || IsByRefLike(type)) return Fixed(type);
        return For(new ByReferenceType(type));
    }

    // The conversion that brings a value of a CLR type to the probe's parameter type.
    private static IEnumerable<IlOp> Widen(string clrFullName, ProbeRow row)
    {
        var unsigned = Unsigned.Contains(clrFullName);
        if (row.ParameterType == "System.Int64" && clrFullName != "System.Int64")
            yield return new IlOp(unsigned ? OpCodes.Conv_U8 : OpCodes.Conv_I8);
        else if (row.ParameterType == "System.UInt64" && clrFullName != "System.UInt64")
            yield return new IlOp(OpCodes.Conv_U8);
    }

    private static Shape EnumShape(TypeDefinition enumType)
    {
        var members = enumType.Fields
            .Where(f => f.IsStatic && f.HasConstant)
            .Select(f => Tuple.Create(f.Name, ToInt64(f.Constant)))
            .ToArray();
        var isFlags = enumType.CustomAttributes.Any(a => a.AttributeType.FullName == "System.FlagsAttribute");
        return Shape.NewEnumOf(members, isFlags);
    }

    // The same bits the probe receives: sign-extended for signed types, zero-extended otherwise.
    private static long ToInt64(object constant) => constant switch
    {
        ulong u => unchecked((long)u),
        IConvertible c => c.ToInt64(CultureInfo.InvariantCulture),
        _ => 0,
    };

    private static bool IsByRefLike(TypeDefinition type) =>
        type.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IsByRefLikeAttribute");

    private static TypeDefinition? TryResolve(TypeReference type)
    {
        try
        {
            return type.Resolve();
        }
        catch (AssemblyResolutionException)
        {
            return null;
        }
    }

    private IlOp CallOp(ProbeRow row) => new(OpCodes.Call, Method: Call(row));

    /// <summary>
    /// The field policy of the method being instrumented (<see cref="InstrumentationPolicy"/>;
    /// 0 records every field of its objects).
    /// </summary>
    public int FieldPolicy { get; set; }

    /// <summary>A value written through the boxing object probe, with the method's field policy when it has one.</summary>
    private ValuePlan Boxed(TypeReference type, IlOp[] convert)
    {
        var row = FieldPolicy == 0 ? ProbeTable.valObject : ProbeTable.valObjectIn;
        IlOp[] call = FieldPolicy == 0 ? [CallOp(row)] : [new IlOp(OpCodes.Ldc_I4, Int32: FieldPolicy), CallOp(row)];
        return new(DisplayNames.OfType(type), Shape.Plain, Capture.Read, [.. convert, .. call], convert, row, FieldPolicy);
    }

    private ValuePlan Read(TypeReference type, Shape shape, ProbeRow row, IlOp[] convert) =>
        new(DisplayNames.OfType(type), shape, Capture.Read, [.. convert, CallOp(row)], convert, row, 0);

    private static ValuePlan Fixed(TypeReference type)
    {
        var name = DisplayNames.OfType(type);
        return new ValuePlan(name, Shape.Plain, Capture.NewFixed("<" + name + ">"), [], [], null, 0);
    }
}
