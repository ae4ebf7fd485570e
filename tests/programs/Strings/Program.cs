namespace Strings;

public static class Program
{
    static string Greet(string name, char mark)
    {
        string greeting = "Hello, " + name + mark;
        return greeting;
    }

    static int CountVowels(string text)
    {
        int count = 0;
        foreach (char c in text)
        {
            if ("aeiou".IndexOf(c) >= 0) count++;
        }
        return count;
    }

    public static void Main()
    {
        string who = "Zoë \"quoted\"\n";
        string hi = Greet("world", '!');
        int vowels = CountVowels("recording");
        string lone = "a\ud800b";
        string nothing = null!;
        bool flag = nothing == null;
        Console.WriteLine(hi + " " + vowels + " " + who.Length + " " + lone.Length + " " + flag);
    }
}
