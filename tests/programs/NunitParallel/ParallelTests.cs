using System.Threading;
using NUnit.Framework;

[assembly: Parallelizable(ParallelScope.Children)]
[assembly: LevelOfParallelism(4)]

namespace NunitParallel;

public static class Counter
{
    // Each test calls Tick this many times: long enough for the workers' chunks to interleave.
    public const int Ticks = 150;

    public static int Run(int step)
    {
        int total = 0;
        for (int i = 0; i < Ticks; i++)
        {
            total = Tick(total, step);
        }
        return total;
    }

    public static int Tick(int total, int step)
    {
        Thread.SpinWait(20);
        return total + step;
    }
}

public class ParallelTests
{
    [Test]
    public void Counts01()
    {
        Assert.That(Counter.Run(1), Is.EqualTo(Counter.Ticks * 1));
    }

    [Test]
    public void Counts02()
    {
        Assert.That(Counter.Run(2), Is.EqualTo(Counter.Ticks * 2));
    }

    [Test]
    public void Counts03()
    {
        Assert.That(Counter.Run(3), Is.EqualTo(Counter.Ticks * 3));
    }

    [Test]
    public void Counts04()
    {
        Assert.That(Counter.Run(4), Is.EqualTo(Counter.Ticks * 4));
    }

    [Test]
    public void Counts05()
    {
        Assert.That(Counter.Run(5), Is.EqualTo(Counter.Ticks * 5));
    }

    [Test]
    public void Counts06()
    {
        Assert.That(Counter.Run(6), Is.EqualTo(Counter.Ticks * 6));
    }

    [Test]
    public void Counts07()
    {
        Assert.That(Counter.Run(7), Is.EqualTo(Counter.Ticks * 7));
    }

    [Test]
    public void Counts08()
    {
        Assert.That(Counter.Run(8), Is.EqualTo(Counter.Ticks * 8));
    }

    [Test]
    public void Counts09()
    {
        Assert.That(Counter.Run(9), Is.EqualTo(Counter.Ticks * 9));
    }

    [Test]
    public void Counts10()
    {
        Assert.That(Counter.Run(10), Is.EqualTo(Counter.Ticks * 10));
    }

    [Test]
    public void Counts11()
    {
        Assert.That(Counter.Run(11), Is.EqualTo(Counter.Ticks * 11));
    }

    [Test]
    public void Counts12()
    {
        Assert.That(Counter.Run(12), Is.EqualTo(Counter.Ticks * 12));
    }

    [Test]
    public void Counts13()
    {
        Assert.That(Counter.Run(13), Is.EqualTo(Counter.Ticks * 13));
    }

    [Test]
    public void Counts14()
    {
        Assert.That(Counter.Run(14), Is.EqualTo(Counter.Ticks * 14));
    }

    [Test]
    public void Counts15()
    {
        Assert.That(Counter.Run(15), Is.EqualTo(Counter.Ticks * 15));
    }

    [Test]
    public void Counts16()
    {
        Assert.That(Counter.Run(16), Is.EqualTo(Counter.Ticks * 16));
    }

    [Test]
    public void Counts17()
    {
        Assert.That(Counter.Run(17), Is.EqualTo(Counter.Ticks * 17));
    }

    [Test]
    public void Counts18()
    {
        Assert.That(Counter.Run(18), Is.EqualTo(Counter.Ticks * 18));
    }

    [Test]
    public void Counts19()
    {
        Assert.That(Counter.Run(19), Is.EqualTo(Counter.Ticks * 19));
    }

    [Test]
    public void Counts20()
    {
        Assert.That(Counter.Run(20), Is.EqualTo(Counter.Ticks * 20));
    }

    [Test]
    public void Counts21()
    {
        Assert.That(Counter.Run(21), Is.EqualTo(Counter.Ticks * 21));
    }

    [Test]
    public void Counts22()
    {
        Assert.That(Counter.Run(22), Is.EqualTo(Counter.Ticks * 22));
    }

    [Test]
    public void Counts23()
    {
        Assert.That(Counter.Run(23), Is.EqualTo(Counter.Ticks * 23));
    }

    [Test]
    public void Counts24()
    {
        Assert.That(Counter.Run(24), Is.EqualTo(Counter.Ticks * 24));
    }
}
