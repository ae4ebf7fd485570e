using Kit;
using NUnit.Framework;

namespace NunitSuite;

public class FractionTests
{
    [Test, Combinatorial]
    public void AddingIsCommutative([Values(1, 2, 3, 4, 5)] int a, [Values(2, 3, 4, 5, 6)] int b)
    {
        var x = new Fraction(a, b);
        var y = new Fraction(b, a + 1);
        Assert.That(x + y, Is.EqualTo(y + x));
    }

    [Datapoints]
    public long[] Values = [1, 2, 3, -5, 7, 12];

    [Theory]
    public void LowestTerms(long numerator, long denominator)
    {
        var f = new Fraction(numerator, denominator);
        Assert.That(Primes.Gcd(f.Numerator, f.Denominator), Is.EqualTo(1));
        Assert.That(f.Denominator, Is.Positive);
    }

    [TestCase(1, 2, "1/2")]
    [TestCase(2, 4, "1/2")]
    [TestCase(6, 3, "2")]
    [TestCase(3, -9, "-1/3")]
    public void Shown(long numerator, long denominator, string text) =>
        Assert.That(new Fraction(numerator, denominator).ToString(), Is.EqualTo(text));

    [Test]
    public void ZeroDenominator() => Assert.Throws<DivideByZeroException>(() => _ = new Fraction(1, 0));
}
