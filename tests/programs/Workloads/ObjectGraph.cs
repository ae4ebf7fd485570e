namespace Workloads;

// An object graph being mutated: a small binary tree of user objects whose fields
// change and whose children swap on every visit.
public sealed class Node
{
    public int Value;
    public string Tag = "even";
    public Node? Left;
    public Node? Right;
}

public static class ObjectGraph
{
    private static Node Build(int depth)
    {
        var node = new Node { Value = depth };
        if (depth > 0)
        {
            node.Left = Build(depth - 1);
            node.Right = Build(depth - 1);
        }
        return node;
    }

    private static long Visit(Node? node, int round)
    {
        if (node is null) return 0;
        node.Value += round;
        node.Tag = node.Value % 2 == 0 ? "even" : "odd";
        if (node.Tag == "odd") (node.Left, node.Right) = (node.Right, node.Left);
        return node.Value + Visit(node.Left, round) + Visit(node.Right, round);
    }

    public static long Run(int rounds)
    {
        Node root = Build(4);
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            total += Visit(root, round);
        }
        return total;
    }
}
