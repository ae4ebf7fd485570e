using Kit;
using NUnit.Framework;

namespace NunitSuite;

/// <summary>Each test case on its own instance, the cases of the fixture in parallel, each shipping from several threads.</summary>
[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class StockTests
{
    private readonly Stock _stock = new();

    private static IEnumerable<TestCaseData> Orders() =>
        Enumerable.Range(1, 20).Select(n => new TestCaseData(n * 10, n));

    [TestCaseSource(nameof(Orders))]
    public void ShipsWhatWasReceived(int received, int lot)
    {
        _stock.Receive("bolt", received);
        var shipped = 0;
        Parallel.For(0, received / lot + 3, _ =>
        {
            if (_stock.TryShip("bolt", lot)) Interlocked.Add(ref shipped, lot);
        });
        Assert.That(shipped, Is.EqualTo(received));
        Assert.That(_stock.Level("bolt"), Is.Zero);
    }

    [Test]
    public void NothingToShip() => Assert.That(_stock.TryShip("nut", 1), Is.False);
}
