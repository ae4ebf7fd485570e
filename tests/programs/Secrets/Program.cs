// Plants secrets where the substring rule leaked them (a setter's value, a
// connectionString argument and field, a dictionary value under "password" and values
// under secret keys of every other map and key/value pair the recorder shows, an API key
// in a record, a GetPassword return, async and iterator results) and ordinary names it
// hid (span, tokens, Token, MinimumSpanningTree, Jaccard, ProcessNeighbors). The secret
// values come from the environment, so that they are in no file of the program itself.
// With a folder argument, it writes `ready` there once every secret is planted and
// waits for `go`, so that a test can search the recorder's files while it runs.

namespace Vault
{
    public sealed class Settings
    {
        public string Password { get; set; } = "";
        public string ConnectionString = "";
        public string Name { get; set; } = "";
    }

    public sealed record ApiCredentials(string ApiKey, string Region);

    /// <summary>A program's own map: read as the Dictionary it is, never by its fields (its entries' array).</summary>
    public sealed class Options : Dictionary<string, string>
    {
        public int Generation = 2;
    }

    /// <summary>Secrets under secret-looking keys of every other map the recorder walks, and in key/value pairs; ordinary keys beside them.</summary>
    public static class Keyed
    {
        private static string Secret(string name) => Environment.GetEnvironmentVariable(name)!;

        public static int Plant()
        {
            var table = new System.Collections.Hashtable { ["apiKey"] = Secret("CT_SECRET_HASHTABLE"), ["zone"] = "zone-ordinary" };
            var sorted = new SortedDictionary<string, string> { ["clientSecret"] = Secret("CT_SECRET_SORTED"), ["color"] = "color-ordinary" };
            var list = new SortedList<string, string> { ["db_password"] = Secret("CT_SECRET_SORTEDLIST"), ["mode"] = "mode-ordinary" };
            var concurrent = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
            concurrent["sessionId"] = Secret("CT_SECRET_CONCURRENT");
            concurrent["theme"] = "theme-ordinary";
            var immutable = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty
                .Add("privateKey", Secret("CT_SECRET_IMMUTABLE"))
                .Add("locale", "locale-ordinary");
            IReadOnlyDictionary<string, object> boxed = new Dictionary<string, object> { ["Credentials"] = Secret("CT_SECRET_OBJECT"), ["size"] = 3 };
            var pair = new KeyValuePair<string, string>("passwd", Secret("CT_SECRET_PAIR"));
            var entry = new System.Collections.DictionaryEntry("bearer", Secret("CT_SECRET_ENTRY"));
            var tuple = ("cookie", Secret("CT_SECRET_TUPLE"));
            var ordinaryPair = new KeyValuePair<string, string>("font", "font-ordinary");
            var options = new Options { ["masterKey"] = Secret("CT_SECRET_DERIVED"), ["shape"] = "shape-ordinary" };
            return table.Count + sorted.Count + list.Count + concurrent.Count + immutable.Count + boxed.Count
                + pair.Value.Length + ((string)entry.Value!).Length + tuple.Item2.Length + ordinaryPair.Value.Length + options.Count;
        }
    }

    public static class Db
    {
        public static int Open(string connectionString) => connectionString.Length;

        public static string GetPassword() => Environment.GetEnvironmentVariable("CT_SECRET_RETURN")!;

        public static async Task<string> GetPasswordAsync()
        {
            await Task.Yield();
            return Environment.GetEnvironmentVariable("CT_SECRET_ASYNC")!;
        }

        public static IEnumerable<string> PasswordStream()
        {
            yield return Environment.GetEnvironmentVariable("CT_SECRET_YIELD")!;
        }
    }
}

namespace Lexing
{
    public sealed class Token
    {
        public string Kind = "";
        public string Text = "";
    }

    public static class Lexer
    {
        public static Token NextToken(string source, int at) => new() { Kind = "word", Text = source.Substring(at, 8) };

        public static List<Token> Tokenize(string source)
        {
            var tokens = new List<Token>();
            Token currentToken = NextToken(source, 0);
            tokens.Add(currentToken);
            return tokens;
        }
    }
}

namespace Graphs
{
    public sealed class MinimumSpanningTree
    {
        public int Weight;
        public List<string> Edges = [];
    }

    public static class Kruskal
    {
        public static MinimumSpanningTree Solve(int nodes)
        {
            int span = nodes * 1111;
            return new MinimumSpanningTree { Weight = span, Edges = ["edge-ordinary-a"] };
        }

        public static double Jaccard(HashSet<int> a, HashSet<int> b) => a.Intersect(b).Count() / (double)a.Union(b).Count();

        public static int ProcessNeighbors(int node) => node * 7;
    }
}

namespace Secrets
{
    public static class Program
    {
        public static async Task Main(string[] args)
        {
            var settings = new Vault.Settings();
            settings.Password = Environment.GetEnvironmentVariable("CT_SECRET_SETTER")!;
            settings.ConnectionString = Environment.GetEnvironmentVariable("CT_SECRET_FIELD")!;
            settings.Name = "name-ordinary";
            int opened = Vault.Db.Open(Environment.GetEnvironmentVariable("CT_SECRET_ARG")!);
            var config = new Dictionary<string, string>
            {
                ["password"] = Environment.GetEnvironmentVariable("CT_SECRET_DICT")!,
                ["region"] = "region-ordinary",
            };
            var keyed = Vault.Keyed.Plant();
            var login = new Vault.ApiCredentials(Environment.GetEnvironmentVariable("CT_SECRET_RECORD")!, "eu-ordinary");
            int length = Vault.Db.GetPassword().Length + (await Vault.Db.GetPasswordAsync()).Length;
            length += string.Concat(Vault.Db.PasswordStream()).Length; // no local of the program holds it

            var tree = Graphs.Kruskal.Solve(3);
            double similarity = Graphs.Kruskal.Jaccard([1, 2, 3], [2, 3, 4]);
            int neighbors = Graphs.Kruskal.ProcessNeighbors(6);
            var tokens = Lexing.Lexer.Tokenize("lexeme-ordinary and more");
            Console.WriteLine($"{opened} {config.Count} {keyed} {login.Region} {length} {tree.Weight} {similarity} {neighbors} {tokens.Count} {settings.Name}");

            if (args.Length > 0) await Handshake(args[0]);
        }

        /// <summary>Enough ordinary steps to fill the recorder's buffers, then `ready`, then wait for `go`.</summary>
        private static async Task Handshake(string folder)
        {
            long total = 0;
            for (int i = 0; i < 20000; i++) total += Graphs.Kruskal.ProcessNeighbors(i);
            File.WriteAllText(Path.Combine(folder, "ready"), total.ToString());
            var go = Path.Combine(folder, "go");
            for (int waited = 0; !File.Exists(go) && waited < 1200; waited++) await Task.Delay(50);
        }
    }
}
