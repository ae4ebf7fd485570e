using Mono.Cecil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// Custom modifiers (<c>modreq</c>/<c>modopt</c>) in signatures, which the instrumenter looks
/// through wherever it inspects a type. The compilers put them on returns, parameters, locals
/// and fields: <c>void modreq(IsExternalInit)</c> (an <c>init</c> accessor), <c>int&amp;
/// modreq(InAttribute)</c> (<c>ref readonly</c>, <c>in</c> on a virtual method), <c>int
/// modreq(IsVolatile)</c> (a <c>volatile</c> field), <c>modopt(CallConvCdecl)</c> in a function
/// pointer. Cecil wraps the type in a <see cref="RequiredModifierType"/> or
/// <see cref="OptionalModifierType"/>, whose <c>MetadataType</c> and <c>IsValueType</c> are the
/// wrapper's, not the type's: <c>void modreq(…)</c> does not look void.
/// </summary>
internal static class Modifiers
{
    /// <summary>
    /// The type without its modifiers: at the top, and under a managed or unmanaged pointer,
    /// a pinned local and an array's element, so that what the instrumenter emits with it
    /// (<c>ldobj</c>, <c>box</c>, a local) names the plain type. A function pointer keeps its
    /// signature (its modifiers are its calling convention).
    /// </summary>
    public static TypeReference Strip(TypeReference type)
    {
        while (type is IModifierType modified) type = modified.ElementType;
        return type switch
        {
            ByReferenceType byRef when Strip(byRef.ElementType) is var e && e != byRef.ElementType => new ByReferenceType(e),
            PointerType pointer when Strip(pointer.ElementType) is var e && e != pointer.ElementType => new PointerType(e),
            PinnedType pinned when Strip(pinned.ElementType) is var e && e != pinned.ElementType => new PinnedType(e),
            ArrayType array when Strip(array.ElementType) is var e && e != array.ElementType => WithElement(array, e),
            _ => type,
        };
    }

    /// <summary>Whether a method returns nothing (an <c>init</c> accessor's <c>void modreq(IsExternalInit)</c> too).</summary>
    public static bool ReturnsVoid(IMethodSignature method) => Strip(method.ReturnType).MetadataType == MetadataType.Void;

    private static ArrayType WithElement(ArrayType array, TypeReference element)
    {
        var copy = new ArrayType(element, array.Rank);
        for (var i = 0; i < array.Rank; i++) copy.Dimensions[i] = array.Dimensions[i];
        return copy;
    }
}
