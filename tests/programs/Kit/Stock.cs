namespace Kit;

/// <summary>Stock levels shared between threads: every change holds the lock.</summary>
public sealed class Stock
{
    private readonly Dictionary<string, int> _levels = [];
    private readonly Lock _gate = new();

    public void Receive(string item, int quantity)
    {
        lock (_gate)
        {
            _levels[item] = Level(item) + quantity;
        }
    }

    public bool TryShip(string item, int quantity)
    {
        lock (_gate)
        {
            var level = Level(item);
            if (level < quantity) return false;
            _levels[item] = level - quantity;
            return true;
        }
    }

    public int Level(string item)
    {
        lock (_gate)
        {
            return _levels.GetValueOrDefault(item);
        }
    }
}
