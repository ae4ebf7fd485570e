namespace Shop.Payments
{
    public static class Card
    {
        public static string Charge(string pan, string password, decimal amount)
        {
            string cvv = "737";
            decimal fee = amount / 100;
            int scratch = pan.Length;
            return "charged " + (amount + fee) + " to " + pan.Substring(pan.Length - 4) + " " + scratch;
        }
    }
}

namespace Shop.Generated
{
    public static class Client
    {
        public static int Ping(int attempt)
        {
            int next = attempt + 1;
            return next;
        }
    }
}

namespace Shop
{
    public static class Accounts
    {
        public static bool Login(string user, string password)
        {
            bool ok = user.Length + password.Length > 3;
            return ok;
        }
    }

    public sealed record Customer(string Name, string ApiToken, string Notes);

    public static class Profiles
    {
        public static int Describe(Customer customer)
        {
            return customer.Name.Length;
        }
    }

    public static class Pricing
    {
        public static int Discount(int total)
        {
            return total / 10;
        }
    }

    public static class Program
    {
        public static void Main()
        {
            string receipt = Shop.Payments.Card.Charge("4111111111111111", "open-sesame", 10m);
            int pong = Shop.Generated.Client.Ping(1);
            bool ok = Accounts.Login("ada", "hunter2-secret");
            int discount = Pricing.Discount(250);
            var customer = new Customer("Grace", "tok-123-secret", "private notes");
            int nameLength = Profiles.Describe(customer);
            Console.WriteLine(receipt + " " + pong + " " + ok + " " + discount + " " + nameLength);
        }
    }
}
