namespace Shapes;

// Object-heavy work for the benchmark: allocates and passes objects, lists and strings.
public sealed class Shape
{
    public string Name { get; }
    public double Area { get; }

    public Shape(string name, double area)
    {
        Name = name;
        Area = area;
    }
}

public static class Program
{
    static Shape Make(int i)
    {
        string name = "shape-" + i;
        double area = i * 0.5;
        return new Shape(name, area);
    }

    static double Total(List<Shape> shapes, string[] tags)
    {
        double total = 0;
        foreach (Shape s in shapes)
        {
            total += s.Area;
        }
        return total + tags.Length;
    }

    public static void Main(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 2_000;
        double sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            var shapes = new List<Shape>();
            for (int i = 0; i < 50; i++)
            {
                shapes.Add(Make(i));
            }
            string[] tags = { "a", "b", "round-" + r };
            sum += Total(shapes, tags);
        }
        Console.WriteLine(sum);
    }
}
