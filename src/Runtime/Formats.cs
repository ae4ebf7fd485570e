using System;
using System.Globalization;

namespace CodeTracer.Runtime;

/// <summary>
/// Platform types whose fields mean nothing to a reader (DateTime's <c>_dateData</c>)
/// shown as their invariant round-trip text instead. Their formatting is the
/// platform's own code (the types are sealed or structs), never the program's.
/// </summary>
internal static class Formats
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The formatter of a runtime type, else null.</summary>
    internal static Func<object, string>? For(Type type)
    {
        if (type == typeof(DateTime)) return v => ((DateTime)v).ToString("o", Invariant);
        if (type == typeof(DateTimeOffset)) return v => ((DateTimeOffset)v).ToString("o", Invariant);
        if (type == typeof(TimeSpan)) return v => ((TimeSpan)v).ToString("c", Invariant);
        if (type == typeof(DateOnly)) return v => ((DateOnly)v).ToString("o", Invariant);
        if (type == typeof(TimeOnly)) return v => ((TimeOnly)v).ToString("o", Invariant);
        if (type == typeof(Guid)) return v => ((Guid)v).ToString("D", Invariant);
        if (type == typeof(Version)) return v => ((Version)v).ToString();
        if (type == typeof(Uri)) return v => ((Uri)v).OriginalString; // exactly Uri: a subclass is the program's
        return null;
    }
}
