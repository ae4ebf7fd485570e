namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// A bounded first-in first-out hand-over between one producing and one consuming thread.
/// Waits block without spinning (unlike BlockingCollection's semaphores): on two cores a
/// spinning waiter takes the core the other stage, or the kernel's writeback, needs.
/// </summary>
internal sealed class Handoff<T>(int capacity)
{
    private readonly Queue<T> _items = new();
    private bool _closed;

    /// <summary>Adds an item, waiting while the queue is full; false once closed (the consumer gave up).</summary>
    internal bool Add(T item)
    {
        lock (_items)
        {
            while (_items.Count >= capacity && !_closed) Monitor.Wait(_items);
            if (_closed) return false;
            _items.Enqueue(item);
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>No more items: the consumer's <see cref="Take"/> ends once the queue is empty, the producer's <see cref="Add"/> fails.</summary>
    internal void Close()
    {
        lock (_items)
        {
            _closed = true;
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>The next item, waiting for one; false once closed and empty.</summary>
    internal bool Take(out T item)
    {
        lock (_items)
        {
            while (_items.Count == 0 && !_closed) Monitor.Wait(_items);
            if (_items.Count == 0)
            {
                item = default!;
                return false;
            }
            item = _items.Dequeue();
            Monitor.PulseAll(_items);
            return true;
        }
    }
}
