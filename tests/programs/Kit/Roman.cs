namespace Kit;

/// <summary>Roman numerals from 1 to 3999.</summary>
public static class Roman
{
    private static readonly (int Value, string Letters)[] Table =
    [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ];

    public static string ToRoman(int number)
    {
        if (number is < 1 or > 3999) throw new ArgumentOutOfRangeException(nameof(number), number, "1 to 3999");
        var text = new System.Text.StringBuilder();
        foreach (var (value, letters) in Table)
        {
            while (number >= value)
            {
                text.Append(letters);
                number -= value;
            }
        }
        return text.ToString();
    }

    public static int FromRoman(string numeral)
    {
        var total = 0;
        var i = 0;
        foreach (var (value, letters) in Table)
        {
            while (string.CompareOrdinal(numeral, i, letters, 0, letters.Length) == 0)
            {
                total += value;
                i += letters.Length;
            }
        }
        // Only the canonical spelling counts ("IIII" adds up to 4 but is not a numeral).
        if (i != numeral.Length || total == 0 || ToRoman(total) != numeral) throw new FormatException($"not a Roman numeral: {numeral}");
        return total;
    }
}
