using System;
using System.Collections.Generic;
using System.Reflection;

namespace CodeTracer.Runtime;

/// <summary>
/// The nodes of a binary search tree, walked in order from their left, right and
/// item fields. Immutable trees end in a shared empty node (its left is null);
/// SortedSet's end in null.
/// </summary>
internal sealed class Tree
{
    private readonly FieldInfo _left, _right;
    internal readonly FieldInfo Item;
    private readonly bool _sentinel;

    internal Tree(Type node, string left, string right, string item, bool sentinel)
    {
        _left = Walker.Field(node, left);
        _right = Walker.Field(node, right);
        Item = Walker.Field(node, item);
        _sentinel = sentinel;
    }

    private bool Empty(object? node) => node is null || (_sentinel && _left.GetValue(node) is null);

    /// <summary>Visits the nodes in order until <paramref name="visit"/> says stop; false then.</summary>
    internal bool Walk(object? root, Func<object, bool> visit)
    {
        var pending = new Stack<object>(); // as deep as the tree: balanced trees stay shallow
        var node = root;
        while (true)
        {
            while (!Empty(node)) { pending.Push(node!); node = _left.GetValue(node); }
            if (pending.Count == 0) return true;
            node = pending.Pop();
            if (!visit(node)) return false;
            node = _right.GetValue(node);
        }
    }
}

/// <summary>
/// SortedSet&lt;T&gt;, SortedDictionary&lt;K,V&gt; (its <c>_set</c> of KeyValuePairs),
/// ImmutableList&lt;T&gt; and ImmutableHashSet&lt;T&gt;/ImmutableDictionary&lt;K,V&gt;
/// (a tree of hash buckets: a first value and an ImmutableList node of the others).
/// </summary>
internal sealed class TreeWalker : Walker
{
    private readonly FieldInfo? _hop;
    private readonly FieldInfo _root;
    private readonly FieldInfo _count;
    private readonly bool _countOnRoot;
    private readonly Tree _tree;
    private readonly PairFields? _pair;
    private readonly FieldInfo? _first, _rest;
    private readonly Tree? _restTree;

    private TreeWalker(Type type, FieldInfo? hop, Type holder, string root, string count, bool countOnRoot, Tree tree)
    {
        _hop = hop;
        _root = Field(holder, root);
        _count = Field(countOnRoot ? _root.FieldType : holder, count);
        _countOnRoot = countOnRoot;
        _tree = tree;
        var args = type.GetGenericArguments();
        if (args.Length == 2)
        {
            Pairs = true;
            _pair = new PairFields(typeof(KeyValuePair<,>).MakeGenericType(args));
        }
    }

    private TreeWalker(Type type, FieldInfo? hop, Type holder, string root, string count, bool countOnRoot, Tree tree, Type bucket)
        : this(type, hop, holder, root, count, countOnRoot, tree)
    {
        _first = Field(bucket, "_firstValue");
        _rest = Field(bucket, "_additionalElements");
        _restTree = new Tree(_rest.FieldType, "_left", "_right", "_key", sentinel: true);
    }

    /// <summary>SortedSet, or SortedDictionary through its <c>_set</c> field (<paramref name="set"/> is that field's type).</summary>
    internal static TreeWalker Sorted(Type type, Type set, FieldInfo? hop)
    {
        var root = Field(set, "root");
        return new TreeWalker(type, hop, set, "root", "count", false, new Tree(root.FieldType, "Left", "Right", "Item", sentinel: false));
    }

    /// <summary>ImmutableList (count on its root node), or a hashed immutable collection with its own count field.</summary>
    internal static TreeWalker Immutable(Type type, string? count)
    {
        var node = Field(type, "_root").FieldType;
        if (count is null)
            return new TreeWalker(type, null, type, "_root", "_count", true, new Tree(node, "_left", "_right", "_key", sentinel: true));
        var tree = new Tree(node, "_left", "_right", "_value", sentinel: true);
        return new TreeWalker(type, null, type, "_root", count, false, tree, tree.Item.FieldType);
    }

    internal override int Collect(object value, Items into)
    {
        var holder = _hop is null ? value : _hop.GetValue(value);
        if (holder is null) return 0;
        var root = _root.GetValue(holder);
        var count = _countOnRoot ? (root is null ? 0 : Int(_count, root)) : Int(_count, holder);
        _tree.Walk(root, node => Visit(node, into));
        return count;
    }

    private bool Visit(object node, Items into)
    {
        var item = _tree.Item.GetValue(node);
        if (_first is null) return Add(item, into);
        // A hash bucket: its first value, then the others in their list's order.
        return Add(_first.GetValue(item), into) && _restTree!.Walk(_rest!.GetValue(item), other => Add(_restTree.Item.GetValue(other), into));
    }

    private bool Add(object? item, Items into) => _pair is null ? into.Add(item) : _pair.Add(into, item);
}
