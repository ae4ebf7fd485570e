using System;
using System.Collections.Generic;

namespace CodeTracer.Runtime;

/// <summary>
/// A <c>words</c> field pattern (the built-in secret rule among them): the runtime's copy of
/// Core's <c>NameWords</c> and <c>WordPattern</c>, which it may not reference. The shell's
/// tests check that both judge generated names alike. Matching allocates nothing: the
/// words of a name are spans of it, compared char by char in lowercase.
/// </summary>
internal sealed class WordPattern
{
    /// <param name="Bits">A bit per word (<see cref="Bit"/>): a name lacking one of them can not match.</param>
    private sealed record Alternative(string[] Words, bool Whole, bool Last, bool TextOnly, ulong Bits);

    private const string TextMark = "(text)";

    /// <summary>Words a name may have without a heap array to hold them.</summary>
    private const int StackWords = 32;

    private readonly Alternative[] _alternatives;

    private WordPattern(Alternative[] alternatives) => _alternatives = alternatives;

    /// <summary>The pattern Core checked when the filter was loaded (<c>WordPattern.parse</c>).</summary>
    internal static WordPattern Parse(string text)
    {
        var alternatives = new List<Alternative>();
        foreach (var part in text.Split('|'))
        {
            var body = part.Trim();
            var textOnly = body.EndsWith(TextMark, StringComparison.Ordinal);
            if (textOnly) body = body.Substring(0, body.Length - TextMark.Length).TrimEnd();
            var whole = body.StartsWith('=');
            if (whole) body = body.Substring(1);
            var last = body.EndsWith('$');
            if (last) body = body.Substring(0, body.Length - 1);
            var words = new List<string>();
            ulong bits = 0;
            foreach (var piece in body.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                foreach (var (start, length) in Words(piece))
                {
                    words.Add(Lower(piece, start, length));
                    bits |= Bit(piece, start, length);
                }
            if (words.Count > 0) alternatives.Add(new Alternative(words.ToArray(), whole, last, textOnly, bits));
        }
        return new WordPattern(alternatives.ToArray());
    }

    /// <summary>Whether <paramref name="name"/> (of a text value when <paramref name="isText"/>) matches an alternative.</summary>
    internal bool Matches(string name, bool isText)
    {
        Span<(int Start, int Length)> words = stackalloc (int, int)[StackWords];
        var count = Words(name, words);
        if (count > StackWords)
        {
            words = new (int, int)[count];
            Words(name, words);
        }
        words = words.Slice(0, count);
        ulong present = 0;
        foreach (var (start, length) in words) present |= Bit(name, start, length);
        foreach (var a in _alternatives)
        {
            var n = a.Words.Length;
            if ((a.Bits & present) != a.Bits || (a.TextOnly && !isText) || n > count) continue;
            if (a.Whole ? n == count && At(name, words, 0, a.Words)
                : a.Last ? At(name, words, count - n, a.Words)
                : Anywhere(name, words, a.Words))
                return true;
        }
        return false;
    }

    /// <summary>
    /// One of 64 bits for a word, from its length and lowercase first letter: equal words
    /// (ignoring case, char by char) have the same bit, so one bit missing from a name rules
    /// an alternative out before any word is compared.
    /// </summary>
    private static ulong Bit(string text, int start, int length) =>
        1UL << ((length * 31 + char.ToLowerInvariant(text[start])) & 63);

    private static bool Anywhere(string name, ReadOnlySpan<(int, int)> words, string[] sought)
    {
        for (var from = 0; from + sought.Length <= words.Length; from++)
            if (At(name, words, from, sought)) return true;
        return false;
    }

    private static bool At(string name, ReadOnlySpan<(int Start, int Length)> words, int from, string[] sought)
    {
        for (var k = 0; k < sought.Length; k++)
        {
            var (start, length) = words[from + k];
            var word = sought[k];
            if (length != word.Length) return false;
            for (var i = 0; i < length; i++)
                if (char.ToLowerInvariant(name[start + i]) != word[i]) return false;
        }
        return true;
    }

    private static string Lower(string text, int start, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = char.ToLowerInvariant(text[start + i]);
        return new string(chars);
    }

    /// <summary>The words of a name as (start, length), in a new array (for parsing and tests).</summary>
    internal static (int Start, int Length)[] Words(string name)
    {
        var words = new (int, int)[Words(name, Span<(int, int)>.Empty)];
        Words(name, words);
        return words;
    }

    /// <summary>
    /// The words of the name without its compiler wrappings (<c>&lt;Name&gt;k__BackingField</c>,
    /// F#'s <c>name@</c>, <c>m_</c>, <c>s_</c>), as (start, length): the same rule as Core's
    /// <c>NameWords.spans</c>. Fills <paramref name="into"/> as far as it goes and returns how
    /// many words there are.
    /// </summary>
    private static int Words(string name, Span<(int Start, int Length)> into)
    {
        var count = 0;
        var (first, stop) = Unwrapped(name);
        var i = first;
        while (i < stop)
        {
            if (!char.IsLetterOrDigit(name[i])) { i++; continue; }
            var j = i + 1;
            while (j < stop && char.IsLetterOrDigit(name[j]) && !StartsWord(name, j, stop)) j++;
            if (count < into.Length) into[count] = (i, j - i);
            count++;
            i = j;
        }
        return count;
    }

    private static (int Start, int Stop) Unwrapped(string name)
    {
        int start = 0, stop = name.Length;
        if (name.Length > 1 && name[0] == '<')
        {
            var close = name.IndexOf('>', 1);
            if (close > 1) (start, stop) = (1, close);
        }
        else
        {
            var at = name.LastIndexOf('@');
            var digitsAfter = at > 0;
            for (var i = at + 1; digitsAfter && i < name.Length; i++) digitsAfter = char.IsAsciiDigit(name[i]);
            if (digitsAfter) stop = at;
        }
        if (stop - start > 2 && name[start] is 'm' or 's' && name[start + 1] == '_') start += 2;
        return (start, stop);
    }

    private static bool StartsWord(string name, int i, int stop)
    {
        char p = name[i - 1], c = name[i];
        return (char.IsLower(p) && char.IsUpper(c))
            || (char.IsLetter(p) && char.IsDigit(c))
            || (char.IsDigit(p) && char.IsLetter(c))
            || (char.IsUpper(p) && char.IsUpper(c) && i + 1 < stop && char.IsLower(name[i + 1]));
    }
}

/// <summary>Which values are text: the runtime's copy of Core's <c>TextTypes.isText</c>.</summary>
internal static class TextTypes
{
    /// <summary><c>string</c>, <c>char[]</c>, <c>byte[]</c>, or an array or a generic collection (of <c>System.Collections.*</c> or F#'s) whose items are text.</summary>
    internal static bool IsText(Type? type)
    {
        if (type is null) return false;
        if (type == typeof(string)) return true;
        if (type.IsArray)
        {
            var element = type.GetElementType()!;
            return element == typeof(char) || element == typeof(byte) || IsText(element);
        }
        if (!type.IsGenericType || type.IsGenericTypeDefinition) return false;
        var definition = type.GetGenericTypeDefinition().FullName ?? "";
        if (!definition.StartsWith("System.Collections.", StringComparison.Ordinal)
            && !definition.StartsWith("Microsoft.FSharp.Collections.", StringComparison.Ordinal)) return false;
        foreach (var argument in type.GetGenericArguments())
            if (!IsText(argument)) return false;
        return true;
    }
}
