using Kit;
using NUnit.Framework;

namespace NunitSuite;

public class RomanTests
{
    private static IEnumerable<int> Numbers() => Enumerable.Range(1, 100);

    [TestCaseSource(nameof(Numbers))]
    public void RoundTrips(int number) => Assert.That(Roman.FromRoman(Roman.ToRoman(number)), Is.EqualTo(number));

    [TestCase(1, "I")]
    [TestCase(4, "IV")]
    [TestCase(9, "IX")]
    [TestCase(14, "XIV")]
    [TestCase(40, "XL")]
    [TestCase(90, "XC")]
    [TestCase(400, "CD")]
    [TestCase(1994, "MCMXCIV")]
    [TestCase(2026, "MMXXVI")]
    [TestCase(3999, "MMMCMXCIX")]
    public void KnownNumerals(int number, string numeral) => Assert.That(Roman.ToRoman(number), Is.EqualTo(numeral));

    [TestCase(0)]
    [TestCase(4000)]
    public void OutOfRange(int number) => Assert.Throws<ArgumentOutOfRangeException>(() => Roman.ToRoman(number));

    [TestCase("IIII")]
    [TestCase("ABC")]
    public void NotANumeral(string numeral) => Assert.Throws<FormatException>(() => Roman.FromRoman(numeral));
}
