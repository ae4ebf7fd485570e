using System;
using System.Collections.Generic;
using System.Reflection;

namespace CodeTracer.Runtime;

/// <summary>
/// F# <c>Map</c> and <c>Set</c>: their AVL tree (<c>MapTree</c>/<c>SetTree</c>) walked in order
/// from its fields, never through the comparer or an enumerator. A leaf is the tree class
/// itself (key <c>k</c>, value <c>v</c>, height <c>h</c>), an inner node its <c>...TreeNode</c>
/// subclass with <c>left</c> and <c>right</c>; the empty tree is null. A child is lower than its
/// parent, so a walk that only descends to lower nodes ends even on a corrupted tree. Neither
/// has a count field: the walk goes on counting once the items are full, as an F# list's does.
/// </summary>
internal sealed class FSharpTreeWalker : Walker
{
    private readonly FieldAt _tree;
    private readonly FieldInfo[] _leafFields, _nodeFields;
    private readonly Type _leaf, _node;
    private readonly bool _pairs;

    /// <summary>The leaf's key, height (and value) and the node's left and right, read in place; measured on the first such node seen.</summary>
    private FieldAt[]? _leafAt, _nodeAt;

    /// <summary>The nodes waiting for their right subtree, per thread (a walk does not nest: items are written after it).</summary>
    [ThreadStatic] private static Stack<object>? _pending;

    private FSharpTreeWalker(Type type, object? sample, string treeType, string nodeType, bool pairs)
    {
        var tree = TreeField(type);
        var leaf = _leaf = tree.FieldType;
        if (!leaf.IsGenericType || leaf.GetGenericTypeDefinition().FullName != treeType) throw new MissingFieldException(type.Name, treeType);
        _tree = FieldAt.Of(type, sample, tree)[0];
        _node = leaf.Assembly.GetType(nodeType, throwOnError: true)!.MakeGenericType(leaf.GetGenericArguments());
        _leafFields = pairs ? [Field(leaf, "k"), Field(leaf, "h"), Field(leaf, "v")] : [Field(leaf, "k"), Field(leaf, "h")];
        _nodeFields = [Field(_node, "left"), Field(_node, "right")];
        _pairs = Pairs = pairs;
    }

    internal static FSharpTreeWalker Map(Type type, object? sample) =>
        new(type, sample, "Microsoft.FSharp.Collections.MapTree`2", "Microsoft.FSharp.Collections.MapTreeNode`2", pairs: true);

    internal static FSharpTreeWalker Set(Type type, object? sample) =>
        new(type, sample, "Microsoft.FSharp.Collections.SetTree`1", "Microsoft.FSharp.Collections.SetTreeNode`1", pairs: false);

    /// <summary>The tree field: <c>tree</c>, which FSharp.Core's compiler names after its line (<c>tree@690</c>).</summary>
    private static FieldInfo TreeField(Type type)
    {
        foreach (var f in type.GetFields(Instance))
            if (f.Name == "tree" || f.Name.StartsWith("tree@", StringComparison.Ordinal)) return f;
        throw new MissingFieldException(type.Name, "tree");
    }

    internal override int Collect(object value, Items into)
    {
        var pending = _pending ??= new Stack<object>();
        pending.Clear();
        var total = 0;
        var node = _tree.Object(ref Layout.Data(value));
        var below = int.MaxValue; // the height a node must be under: its parent's
        while (true)
        {
            // Down the left spine, each node lower than the one before.
            while (node is not null && Height(node) is var h && h < below)
            {
                pending.Push(node);
                below = h;
                node = Child(node, 0);
            }
            if (pending.Count == 0) break;
            node = pending.Pop();
            total++;
            ref var data = ref Layout.Data(node);
            var leaf = _leafAt!;
            if (!into.Full)
            {
                if (_pairs) into.Add(leaf[0].Object(ref data), leaf[2].Object(ref data));
                else into.Add(leaf[0].Object(ref data));
            }
            below = leaf[1].Int(ref data);
            node = Child(node, 1);
        }
        pending.Clear();
        return total;
    }

    private int Height(object node) => (_leafAt ??= FieldAt.Of(_leaf, node, _leafFields))[1].Int(ref Layout.Data(node));

    /// <summary>A node's left (0) or right (1) subtree; a leaf has none.</summary>
    private object? Child(object node, int side)
    {
        if (!ReferenceEquals(node.GetType(), _node)) return null;
        return (_nodeAt ??= FieldAt.Of(_node, node, _nodeFields))[side].Object(ref Layout.Data(node));
    }
}
