namespace Kit;

/// <summary>Small text utilities.</summary>
public static class Text
{
    public static int WordCount(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static bool IsPalindrome(string text)
    {
        var letters = text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray();
        for (int i = 0, j = letters.Length - 1; i < j; i++, j--)
        {
            if (letters[i] != letters[j]) return false;
        }
        return true;
    }

    public static string Slug(string title)
    {
        var words = title.ToLowerInvariant()
            .Select(c => char.IsLetterOrDigit(c) ? c : ' ')
            .ToArray();
        return string.Join('-', new string(words).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
