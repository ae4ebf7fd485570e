using Kit;
using NUnit.Framework;

namespace NunitSuite;

public class PrimeTests
{
    private List<int> _sieve = [];

    [OneTimeSetUp]
    public void SieveOnce() => _sieve = Primes.Below(61);

    [Test]
    public void TrialDivisionAgreesWithTheSieve([Range(1, 60)] int n) =>
        Assert.That(Primes.IsPrime(n), Is.EqualTo(_sieve.Contains(n)));

    [TestCase(12, 18, 6)]
    [TestCase(18, 12, 6)]
    [TestCase(7, 13, 1)]
    [TestCase(0, 5, 5)]
    [TestCase(-4, 6, 2)]
    [TestCase(100, 75, 25)]
    [TestCase(17, 17, 17)]
    [TestCase(1, 1, 1)]
    public void Gcd(long a, long b, long expected) => Assert.That(Primes.Gcd(a, b), Is.EqualTo(expected));
}
