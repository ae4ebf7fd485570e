namespace StaticInit;

/// <summary>
/// A type whose static initializer has not run when its constructor is entered
/// (beforefieldinit): the recorder reading `this` at the constructor's entry makes
/// the runtime run the initializer in the middle of that read.
/// </summary>
public sealed class Greeter
{
    private static readonly string Prefix = MakePrefix();
    private readonly string _name;

    public Greeter(string name)
    {
        _name = name;
    }

    private static string MakePrefix()
    {
        var word = "Hello";
        return word + ", ";
    }

    public string Greet() => Prefix + _name;
}

public static class Program
{
    public static void Main()
    {
        var greeter = new Greeter("Ada");
        var text = greeter.Greet();
        Console.WriteLine(text);
    }
}
