namespace Workloads;

// Collection work: counting words in a Dictionary<string, int>, filling and sorting a List<int>.
public static class Collections
{
    public static long Run(int rounds)
    {
        var words = new string[16];
        for (int w = 0; w < words.Length; w++)
        {
            words[w] = "word" + w;
        }
        var counts = new Dictionary<string, int>();
        var numbers = new List<int>();
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            numbers.Clear();
            for (int i = 0; i < 100; i++)
            {
                string key = words[(i * 7 + round) % words.Length];
                counts[key] = counts.GetValueOrDefault(key) + 1;
                numbers.Add((i * 7919 + round) % 100);
            }
            numbers.Sort();
            total += numbers[0] + numbers[^1] + counts["word0"];
        }
        return total;
    }
}
