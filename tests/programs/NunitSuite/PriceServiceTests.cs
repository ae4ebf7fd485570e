using Kit;
using NUnit.Framework;

namespace NunitSuite;

[Parallelizable(ParallelScope.All)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class PriceServiceTests
{
    private readonly PriceService _prices = new();

    [TestCase("pen", ExpectedResult = 3.75)]
    [TestCase("book", ExpectedResult = 5.00)]
    [TestCase("lamp", ExpectedResult = 5.00)]
    [TestCase("notebook", ExpectedResult = 10.00)]
    [TestCase("", ExpectedResult = 0)]
    public async Task<decimal> Prices(string item) => await _prices.PriceAsync(item);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(5)]
    [TestCase(10)]
    public async Task TheCacheLooksUpOnce(int times)
    {
        for (var i = 0; i < times; i++) await _prices.PriceAsync("pen");
        Assert.That(_prices.Lookups, Is.EqualTo(1));
    }

    [Test]
    public async Task TotalsALineList()
    {
        var total = await _prices.TotalAsync([("pen", 2), ("book", 1), ("pen", 1)]);
        Assert.That(total, Is.EqualTo(16.25m));
        Assert.That(_prices.Lookups, Is.EqualTo(2));
    }

    [Test]
    public async Task StreamsThePrices()
    {
        var seen = new List<decimal>();
        await foreach (var price in _prices.PricesAsync(["a", "bb", "ccc"])) seen.Add(price);
        Assert.That(seen, Is.EqualTo(new[] { 1.25m, 2.50m, 3.75m }));
    }

    [Test]
    public async Task ConcurrentTotalsAgree()
    {
        var totals = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new PriceService().TotalAsync([("desk", 3)])));
        Assert.That(totals.Distinct(), Is.EqualTo(new[] { 15m }));
    }
}
