namespace Arrays;

public enum Color { Red, Green, Blue }

public static class Program
{
    static int Sum(int[] values)
    {
        int total = 0;
        for (int i = 0; i < values.Length; i++)
            total += values[i];
        return total;
    }

    static List<string> Names(Color color)
    {
        var names = new List<string> { "a", "b" };
        names.Add(color.ToString());
        return names;
    }

    public static void Main()
    {
        int[] numbers = { 3, 1, 4, 1, 5 };
        int sum = Sum(numbers);
        double[] ratios = { 0.1, 2.5, double.NaN };
        Color favourite = Color.Green;
        List<string> names = Names(favourite);
        decimal price = 19.90m;
        ulong big = ulong.MaxValue;
        Console.WriteLine($"{sum} {ratios.Length} {names.Count} {price} {big}");
    }
}
