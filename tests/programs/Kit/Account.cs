namespace Kit;

/// <summary>A bank account that refuses to go below zero.</summary>
public sealed class Account(string owner)
{
    private readonly List<decimal> _movements = [];

    public string Owner { get; } = owner;

    public decimal Balance => _movements.Sum();

    public void Deposit(decimal amount)
    {
        if (amount <= 0) throw new ArgumentException("a deposit must be positive", nameof(amount));
        _movements.Add(amount);
    }

    public void Withdraw(decimal amount)
    {
        if (amount > Balance) throw new InsufficientFundsException(Owner, amount, Balance);
        _movements.Add(-amount);
    }
}

public sealed class InsufficientFundsException(string owner, decimal wanted, decimal balance)
    : Exception($"{owner} wanted {wanted} but has {balance}");
