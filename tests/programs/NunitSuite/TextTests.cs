using Kit;
using NUnit.Framework;

namespace NunitSuite;

[Parallelizable(ParallelScope.All)]
public class TextTests
{
    [TestCase("racecar", ExpectedResult = true)]
    [TestCase("A man, a plan, a canal: Panama", ExpectedResult = true)]
    [TestCase("No lemon, no melon", ExpectedResult = true)]
    [TestCase("Was it a car or a cat I saw?", ExpectedResult = true)]
    [TestCase("", ExpectedResult = true)]
    [TestCase("x", ExpectedResult = true)]
    [TestCase("12321", ExpectedResult = true)]
    [TestCase("hello", ExpectedResult = false)]
    [TestCase("palindrome", ExpectedResult = false)]
    [TestCase("ab", ExpectedResult = false)]
    [TestCase("12345", ExpectedResult = false)]
    [TestCase("Never odd or even", ExpectedResult = true)]
    public bool Palindromes(string text) => Text.IsPalindrome(text);

    [TestCase("", 0)]
    [TestCase("one", 1)]
    [TestCase("one two", 2)]
    [TestCase("  spaced   out  ", 2)]
    [TestCase("tabs\tand\nnewlines", 3)]
    [TestCase("a b c d e f", 6)]
    [TestCase("hyphen-ated word", 2)]
    [TestCase("Ünïcödé wörds", 2)]
    public void Words(string text, int count) => Assert.That(Text.WordCount(text), Is.EqualTo(count));

    [TestCase("Hello, World!", "hello-world")]
    [TestCase("  Trim me  ", "trim-me")]
    [TestCase("C# 14 & F# 9", "c-14-f-9")]
    [TestCase("already-a-slug", "already-a-slug")]
    [TestCase("MiXeD CaSe", "mixed-case")]
    [TestCase("", "")]
    public void Slugs(string title, string slug) => Assert.That(Text.Slug(title), Is.EqualTo(slug));
}
