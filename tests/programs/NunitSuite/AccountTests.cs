using Kit;
using NUnit.Framework;

namespace NunitSuite;

public class AccountTests
{
    private static int _opened;
    private Account _account = null!;

    [OneTimeSetUp]
    public void NoAccountsYet() => _opened = 0;

    [SetUp]
    public void OpenWithAHundred()
    {
        _account = new Account("ada");
        _account.Deposit(100m);
        _opened++;
    }

    [TearDown]
    public void NeverBelowZero() => Assert.That(_account.Balance, Is.GreaterThanOrEqualTo(0m));

    [OneTimeTearDown]
    public void OneAccountPerTest() => Assert.That(_opened, Is.EqualTo(12));

    [Test]
    public void StartsWithTheDeposit() => Assert.That(_account.Balance, Is.EqualTo(100m));

    [TestCase(1)]
    [TestCase(50)]
    [TestCase(99.99)]
    [TestCase(100)]
    public void WithdrawsWithinTheBalance(decimal amount)
    {
        _account.Withdraw(amount);
        Assert.That(_account.Balance, Is.EqualTo(100m - amount));
    }

    [TestCase(100.01)]
    [TestCase(1000)]
    public void RefusesToOverdraw(decimal amount)
    {
        var e = Assert.Throws<InsufficientFundsException>(() => _account.Withdraw(amount));
        Assert.That(e!.Message, Does.Contain("ada wanted"));
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void RefusesNonPositiveDeposits(decimal amount) =>
        Assert.Throws<ArgumentException>(() => _account.Deposit(amount));

    [Test]
    public void DepositsAddUp()
    {
        for (var i = 1; i <= 10; i++) _account.Deposit(i);
        Assert.That(_account.Balance, Is.EqualTo(155m));
    }

    [Test]
    public void WithdrawalsAndDepositsInterleave()
    {
        _account.Withdraw(60m);
        _account.Deposit(10m);
        _account.Withdraw(50m);
        Assert.That(_account.Balance, Is.Zero);
    }

    [Test]
    public void KeepsItsOwner() => Assert.That(_account.Owner, Is.EqualTo("ada"));
}
