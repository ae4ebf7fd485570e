namespace Kit;

/// <summary>An asynchronous price lookup with a cache, as a service client would have.</summary>
public sealed class PriceService
{
    private readonly Dictionary<string, decimal> _cache = [];

    public int Lookups { get; private set; }

    public async Task<decimal> PriceAsync(string item)
    {
        if (_cache.TryGetValue(item, out var cached)) return cached;
        await Task.Yield();
        Lookups++;
        var price = item.Length * 1.25m;
        _cache[item] = price;
        return price;
    }

    public async Task<decimal> TotalAsync(IEnumerable<(string Item, int Quantity)> lines)
    {
        var total = 0m;
        foreach (var (item, quantity) in lines)
        {
            total += await PriceAsync(item) * quantity;
        }
        return total;
    }

    public async IAsyncEnumerable<decimal> PricesAsync(IEnumerable<string> items)
    {
        foreach (var item in items) yield return await PriceAsync(item);
    }
}
