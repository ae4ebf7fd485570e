namespace Kit;

/// <summary>An exact fraction, always in lowest terms with a positive denominator.</summary>
public readonly record struct Fraction
{
    public long Numerator { get; }
    public long Denominator { get; }

    public Fraction(long numerator, long denominator)
    {
        if (denominator == 0) throw new DivideByZeroException("a fraction's denominator cannot be zero");
        var gcd = Math.Max(Primes.Gcd(numerator, denominator), 1);
        var sign = denominator < 0 ? -1 : 1;
        Numerator = sign * numerator / gcd;
        Denominator = sign * denominator / gcd;
    }

    public static Fraction operator +(Fraction a, Fraction b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);

    public static Fraction operator *(Fraction a, Fraction b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public override string ToString() => Denominator == 1 ? $"{Numerator}" : $"{Numerator}/{Denominator}";
}
