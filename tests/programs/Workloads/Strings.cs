using System.Text;

namespace Workloads;

// String building: a StringBuilder appended to and turned into a string each round.
public static class Strings
{
    public static long Run(int rounds)
    {
        var builder = new StringBuilder();
        long total = 0;
        for (int round = 0; round < rounds; round++)
        {
            builder.Clear();
            for (int i = 0; i < 100; i++)
            {
                builder.Append(i).Append(';');
            }
            string text = builder.ToString();
            total += text.Length + text[round % text.Length];
        }
        return total;
    }
}
