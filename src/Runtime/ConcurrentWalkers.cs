using System;
using System.Reflection;

namespace CodeTracer.Runtime;

// The concurrent collections are read without their locks: another thread may be
// changing them, so every index is checked against the array it indexes and a walk
// that finds fewer items than the counts said shows what it found.

/// <summary>ConcurrentDictionary&lt;K,V&gt;: the node chains of <c>_tables._buckets</c>; the count is the sum of <c>_countPerLock</c>.</summary>
internal sealed class ConcurrentDictionaryWalker : Walker
{
    private readonly FieldInfo _tables, _buckets, _counts, _bucketNode, _key, _value, _next;

    internal ConcurrentDictionaryWalker(Type type)
    {
        _tables = Field(type, "_tables");
        _buckets = Field(_tables.FieldType, "_buckets");
        _counts = Field(_tables.FieldType, "_countPerLock");
        _bucketNode = Field(_buckets.FieldType.GetElementType()!, "_node");
        _key = Field(_bucketNode.FieldType, "_key");
        _value = Field(_bucketNode.FieldType, "_value");
        _next = Field(_bucketNode.FieldType, "_next");
        Pairs = true;
    }

    internal override int Collect(object value, Items into)
    {
        if (_tables.GetValue(value) is not { } tables) return 0;
        var total = 0;
        if (_counts.GetValue(tables) is int[] counts) foreach (var c in counts) total += c;
        if (_buckets.GetValue(tables) is not Array buckets) return total;
        for (var i = 0; i < buckets.Length && !into.Full; i++)
            for (var node = _bucketNode.GetValue(buckets.GetValue(i)!); node is not null && !into.Full; node = _next.GetValue(node))
                into.Add(_key.GetValue(node), _value.GetValue(node));
        return total;
    }
}

/// <summary>
/// ConcurrentQueue&lt;T&gt;: segments from <c>_head</c> along <c>_nextSegment</c>, each holding
/// the slots from its head to its tail index (a segment frozen for enqueues has its tail
/// moved up by twice its length).
/// </summary>
internal sealed class ConcurrentQueueWalker : Walker
{
    private readonly FieldInfo _head, _slots, _mask, _headAndTail, _headIndex, _tailIndex, _frozen, _next, _item;

    internal ConcurrentQueueWalker(Type type)
    {
        _head = Field(type, "_head");
        var segment = _head.FieldType;
        _slots = Field(segment, "_slots");
        _mask = Field(segment, "_slotsMask");
        _headAndTail = Field(segment, "_headAndTail");
        _headIndex = Field(_headAndTail.FieldType, "Head");
        _tailIndex = Field(_headAndTail.FieldType, "Tail");
        _frozen = Field(segment, "_frozenForEnqueues");
        _next = Field(segment, "_nextSegment");
        _item = Field(_slots.FieldType.GetElementType()!, "Item");
    }

    internal override int Collect(object value, Items into)
    {
        var total = 0;
        for (var segment = _head.GetValue(value); segment is not null; segment = _next.GetValue(segment))
        {
            if (_slots.GetValue(segment) is not Array slots) break;
            var ends = _headAndTail.GetValue(segment)!;
            var head = Int(_headIndex, ends);
            var tail = Int(_tailIndex, ends) - ((bool)_frozen.GetValue(segment)! ? 2 * slots.Length : 0);
            var mask = Int(_mask, segment);
            var size = Math.Clamp(tail - head, 0, slots.Length);
            total += size;
            for (var i = 0; i < size && !into.Full; i++)
                into.Add(_item.GetValue(slots.GetValue((head + i) & mask)!));
        }
        return total;
    }
}

/// <summary>
/// ConcurrentBag&lt;T&gt;: each thread's queue from <c>_workStealingQueues</c> along <c>_nextQueue</c>,
/// newest first as the bag hands them out, from <c>_tailIndex</c> down to <c>_headIndex</c>.
/// </summary>
internal sealed class ConcurrentBagWalker : Walker
{
    private readonly FieldInfo _queues, _array, _headIndex, _tailIndex, _mask, _next;

    internal ConcurrentBagWalker(Type type)
    {
        _queues = Field(type, "_workStealingQueues");
        var queue = _queues.FieldType;
        _array = Field(queue, "_array");
        _headIndex = Field(queue, "_headIndex");
        _tailIndex = Field(queue, "_tailIndex");
        _mask = Field(queue, "_mask");
        _next = Field(queue, "_nextQueue");
    }

    internal override int Collect(object value, Items into)
    {
        var total = 0;
        for (var queue = _queues.GetValue(value); queue is not null; queue = _next.GetValue(queue))
        {
            if (_array.GetValue(queue) is not Array array) break;
            var head = Int(_headIndex, queue);
            var tail = Int(_tailIndex, queue);
            var mask = Int(_mask, queue);
            var size = Math.Clamp(tail - head, 0, array.Length);
            total += size;
            for (var i = 1; i <= size && !into.Full; i++)
                into.Add(array.GetValue((tail - i) & mask));
        }
        return total;
    }
}
