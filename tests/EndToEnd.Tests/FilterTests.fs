/// Trace filters end to end: a project filter found by discovery, filters from
/// the environment and the command line, skipped methods, redacted and dropped
/// values, the built-in secret redaction, `filters check` / `explain`, `--activation`.
module CodeTracer.EndToEnd.Tests.FilterTests

open System.IO
open System.Security.Cryptography
open System.Text
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private projectFilter = Path.Combine(Repo.root, "tests", "programs", "Payments", ".codetracer", "trace-filter.toml")

let private recordPayments (env: (string * string) list) (extra: string list) =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let run = Cli.runWithEnv env "dotnet" ([ Repo.cliDll; "record"; "-o"; out ] @ extra @ [ Repo.program "Payments" ]) ""
    Expect.equal run.ExitCode 0 run.Stderr
    let code, output = Cli.validate out []
    Expect.equal code 0 output
    out, load out

let private recorded = lazy (recordPayments [] [])
let private text (folder: string) = TraceView.text folder
let private arg name (c: CallView) = c.Args |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd

let private tempFilter (body: string) =
    let path = Path.Combine(Repo.tempFolder (), "extra.toml")
    File.WriteAllText(path, body)
    path

let private skipAccounts = "[meta]\nname = \"no-accounts\"\nversion = 1\n[scope]\ndefault_exec = \"inherit\"\ndefault_value_action = \"inherit\"\n[[scope.rules]]\nselector = \"pkg:Shop\"\nexec = \"skip\"\n[[scope.rules]]\nselector = \"obj:Shop.Program.*\"\nexec = \"trace\"\n"

let tests =
    testList "Filters" [
        test "a skipped namespace is absent from the trace, and its caller still sees the result" {
            let _, t = recorded.Value
            Expect.isFalse (t.Functions |> List.exists (fun f -> f.StartsWith "Shop.Generated")) "no function of Shop.Generated"
            let main = t.Steps |> List.filter (fun s -> s.Function = "Shop.Program.Main()") |> List.last
            Expect.equal (main.Values.TryFind "pong") (Some "2") "the caller's local"
        }
        test "a redacted argument and local show <redacted> and their values are never read" {
            let folder, t = recorded.Value
            let charge = callsOf "Shop.Payments.Card.Charge(string, string, decimal)" t |> List.exactlyOne
            Expect.equal (arg "pan" charge) (Some "<redacted>") "pan"
            Expect.equal (arg "amount" charge) (Some "10") "amount allowed"
            let steps = t.Steps |> List.filter (fun s -> s.Function = charge.Function)
            Expect.isTrue (steps |> List.exists (fun s -> s.Values.TryFind "cvv" = Some "<redacted>")) "cvv"
            Expect.isFalse ((text folder).Contains "4111111111111111") "the card number is nowhere"
            Expect.isFalse ((text folder).Contains "\"737\"") "the cvv is nowhere"
            Expect.contains t.Types (24, "Redacted") "the Redacted type"
        }
        test "fields inside objects: builtin-default redacts a token field, a method's own patterns drop and redact fields" {
            let folder, t = recorded.Value
            Expect.isFalse ((text folder).Contains "tok-123-secret") "the token appears nowhere"
            let main = t.Steps |> List.filter (fun s -> s.Function = "Shop.Program.Main()") |> List.last
            Expect.equal (main.Values.TryFind "customer") (Some "{Name: Grace, ApiToken: <redacted>, Notes: private notes}") "in Main, under builtin-default"
            let describe = callsOf "Shop.Profiles.Describe(Shop.Customer)" t |> List.exactlyOne
            Expect.equal (arg "customer" describe) (Some "{Name: Grace, ApiToken: <redacted>, Notes: <dropped>}") "under the Profiles rule"
            Expect.equal describe.Returned (Some "5") "the method still ran on the real values"
        }
        test "a dropped local is not mentioned at all; a dropped return shows <dropped>" {
            let folder, t = recorded.Value
            Expect.isFalse ((text folder).Contains "\"scratch\"") "no VariableName scratch"
            let discount = callsOf "Shop.Pricing.Discount(int)" t |> List.exactlyOne
            Expect.equal discount.Returned (Some "<dropped>") "dropped return"
        }
        test "builtin-default redacts a password argument; a later rule's patterns replace it" {
            let folder, t = recorded.Value
            let login = callsOf "Shop.Accounts.Login(string, string)" t |> List.exactlyOne
            Expect.equal (arg "password" login) (Some "<redacted>") "default secret redaction"
            Expect.isFalse ((text folder).Contains "hunter2-secret") "the secret's text appears nowhere"
            let charge = callsOf "Shop.Payments.Card.Charge(string, string, decimal)" t |> List.exactlyOne
            Expect.equal (arg "password" charge) (Some "open-sesame") "the card rule's own patterns replaced the built-in ones"
        }
        test "the project filter is found by discovery and named in the metadata with its sha256 and counters" {
            let folder, _ = recorded.Value
            let meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))).RootElement.GetProperty("trace_filter")
            let filters = [ for f in meta.GetProperty("filters").EnumerateArray() -> f.GetProperty("name").GetString(), f.GetProperty("path").GetString(), f.GetProperty("sha256").GetString() ]
            let sha = System.Convert.ToHexString(SHA256.HashData(File.ReadAllBytes projectFilter)).ToLowerInvariant()
            Expect.equal (filters |> List.map (fun (n, _, _) -> n)) [ "builtin-default"; "payments" ] "chain"
            Expect.equal (filters |> List.item 1) ("payments", projectFilter, sha) "provenance"
            let stats = meta.GetProperty("stats")
            Expect.equal (stats.GetProperty("methods_skipped").GetInt32()) 1 "Ping skipped"
            Expect.isGreaterThan (stats.GetProperty("value_redactions").GetProperty("arg").GetInt32()) 0 "arg redactions counted"
            Expect.equal (stats.GetProperty("value_drops").GetProperty("ret").GetInt32()) 1 "the dropped return counted"
        }
        test "CODETRACER_TRACE_FILTER and --trace-filter add filters after the project's, in order" {
            let extra = tempFilter skipAccounts
            let folder, t = recordPayments [ "CODETRACER_TRACE_FILTER", extra ] []
            Expect.equal (t.Functions |> List.filter (fun f -> f.StartsWith "Shop.Accounts")) [] "Accounts skipped by the environment's filter"
            let folder2, t2 = recordPayments [] [ "--trace-filter"; extra ]
            // `pkg:Shop` is the namespace Shop itself, not Shop.Payments: a glob without a wildcard matches exactly.
            Expect.equal (t2.Functions |> List.filter (fun f -> f.StartsWith "Shop.")) [ "Shop.Program.Main()"; "Shop.Payments.Card.Charge(string, string, decimal)" ] "Main re-enabled, Shop skipped"
            ignore folder
            ignore folder2
        }
        test "a bad filter file is a usage error naming file, line and column" {
            let bad = tempFilter "[meta]\nname = \"x\"\nversion = 2\n[scope]\ndefault_exec = \"sometimes\"\n"
            let run = Cli.codetracer [ "record"; "--trace-filter"; bad; Repo.program "Payments" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr (bad + ":3:") "version error located"
            Expect.stringContains run.Stderr (bad + ":5:") "exec error located"
            Expect.isFalse (run.Stderr.Contains "   at ") "no stack trace"
            let check = Cli.codetracer [ "filters"; "check"; bad; projectFilter ]
            Expect.equal check.ExitCode 2 check.Stderr
            Expect.stringContains check.Stdout "OK: " "the good file is OK"
            Expect.equal (check.Stderr.Trim().Split('\n').Length) 2 "every error, one line each"
            Expect.equal (Cli.codetracer [ "filters"; "check"; projectFilter ]).ExitCode 0 "a good file"
        }
        test "filters explain shows each method's decision and that a rule replaced the built-in secret patterns" {
            let run = Cli.codetracer [ "filters"; "explain"; Repo.program "Payments"; "--method"; "Shop.Payments.*" ]
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.stringContains run.Stdout "Shop.Payments.Card.Charge(string, string, decimal)  traced" "the method"
            Expect.stringContains run.Stdout "replacing the patterns of rule 1 of builtin-default" "the replacement said plainly"
            Expect.stringContains run.Stdout "redact (value pattern 1 of rule 2 of payments" "why pan is redacted"
            Expect.isFalse (run.Stdout.Contains "Shop.Accounts") "--method narrows the list"
        }
        test "--activation records only from the first entry into a matching method until it returns" {
            let _, t = recordPayments [] [ "--activation"; "obj:Shop.Accounts.Login" ]
            Expect.equal (t.Calls |> List.map (fun c -> c.Function)) [ "<toplevel>"; "Shop.Accounts.Login(string, string)" ] "only the activation method"
            Expect.isTrue (t.Steps |> List.forall (fun s -> s.Function <> "Shop.Program.Main()")) "no step of Main"
            let bad = Cli.codetracer [ "record"; "--activation"; "nope:x"; Repo.program "Payments" ]
            Expect.equal bad.ExitCode 2 bad.Stderr
        }
    ]
