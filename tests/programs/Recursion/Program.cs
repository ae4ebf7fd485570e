namespace Recursion;

public static class Program
{
    static int Factorial(int n)
    {
        if (n <= 1) return 1;
        int rest = Factorial(n - 1);
        return n * rest;
    }

    static long Fib(int n)
    {
        return n < 2 ? n : Fib(n - 1) + Fib(n - 2);
    }

    public static int Main()
    {
        int f = Factorial(5);
        long g = Fib(6);
        Console.WriteLine($"{f} {g}");
        return 0;
    }
}
