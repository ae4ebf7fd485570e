/// The policy as a user meets it: environment variables, options that override
/// them, value limits, and the effective policy in the metadata.
module CodeTracer.EndToEnd.Tests.PolicyTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recordWithEnv env args =
    Cli.runWithEnv env "dotnet" (Repo.cliDll :: "record" :: args) ""

let private policyOf (folder: string) =
    use doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json")))
    [ for p in doc.RootElement.GetProperty("policy").EnumerateObject() ->
          p.Name, (p.Value.GetProperty("value").GetString(), p.Value.GetProperty("source").GetString()) ]
    |> Map.ofList

let tests =
    testList "Policy" [
        test "CODETRACER_OUT_DIR chooses the folder; -o overrides it; the metadata says where each value came from" {
            let temp = Repo.tempFolder ()
            let fromEnv = Path.Combine(temp, "from-env")
            let run = recordWithEnv [ "CODETRACER_OUT_DIR", fromEnv; "CODETRACER_MAX_DEPTH", "2" ] [ Repo.program "Recursion" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let policy = policyOf fromEnv
            Expect.equal policy.["out_dir"] (fromEnv, "env") "out_dir from the environment"
            Expect.equal policy.["max_depth"] ("2", "env") "max_depth from the environment"
            Expect.equal policy.["max_elements"] ("100", "default") "max_elements default"
            let fromCli = Path.Combine(temp, "from-cli")
            let run2 = recordWithEnv [ "CODETRACER_OUT_DIR", fromEnv ] [ "-o"; fromCli; Repo.program "Recursion" ]
            Expect.equal run2.ExitCode 0 run2.Stderr
            Expect.equal (policyOf fromCli).["out_dir"] (fromCli, "cli") "the command line wins"
        }
        test "--max-string cuts strings with a marker, --max-elements cuts sequences" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = recordWithEnv [] [ "-o"; out; "--max-string"; "5"; "--max-elements"; "2"; Repo.program "Arrays" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let t = load out
            let sum = callsOf "Arrays.Program.Sum(int[])" t |> List.exactlyOne
            Expect.equal sum.Args [ "values", "[3, 1, …<3 more>]" ] "two elements, then the count of the rest"
            let out2 = Path.Combine(Repo.tempFolder (), "trace")
            recordWithEnv [] [ "-o"; out2; "--max-string"; "5"; Repo.program "Strings" ] |> ignore
            let greet = load out2 |> callsOf "Strings.Program.Greet(string, char)" |> List.exactlyOne
            Expect.equal greet.Returned (Some "Hello…<8 more chars>") "cut with the count of what was cut"
            let code, output = Cli.validate out2 []
            Expect.equal code 0 output
        }
        test "CODETRACER_PROPAGATE_EXIT_CODE=yes propagates; --no-propagate-exit-code switches it off again" {
            let temp = Repo.tempFolder ()
            let on = recordWithEnv [ "CODETRACER_PROPAGATE_EXIT_CODE", "yes" ] [ "-o"; Path.Combine(temp, "a"); Repo.program "ExitCode" ]
            Expect.equal on.ExitCode 3 on.Stderr
            let off = recordWithEnv [ "CODETRACER_PROPAGATE_EXIT_CODE", "yes" ] [ "-o"; Path.Combine(temp, "b"); "--no-propagate-exit-code"; Repo.program "ExitCode" ]
            Expect.equal off.ExitCode 0 off.Stderr
        }
        test "a bad environment value is a usage error naming the variable and the value" {
            let run = recordWithEnv [ "CODETRACER_MAX_STRING", "lots" ] [ Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "CODETRACER_MAX_STRING=lots" "names variable and value"
            Expect.stringContains run.Stderr "ERR_INVALID_POLICY_VALUE" "code"
            Expect.isFalse (run.Stderr.Contains "   at ") "no stack trace"
        }
        test "codetracer policy prints every field with its value and source" {
            let run = Cli.runWithEnv [ "CODETRACER_ON_RECORDER_ERROR", "disable" ] "dotnet" [ Repo.cliDll; "policy"; "--max-elements"; "7" ] ""
            Expect.equal run.ExitCode 0 run.Stderr
            let rows = run.Stdout.Split('\n', System.StringSplitOptions.RemoveEmptyEntries) |> Array.map (fun l -> l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries))
            Expect.equal rows.Length 16 "one line per field"
            let row name = rows |> Array.find (fun r -> r.[0] = name) |> List.ofArray
            Expect.equal (row "on_recorder_error") [ "on_recorder_error"; "disable"; "(env)" ] "from the environment"
            Expect.equal (row "max_elements") [ "max_elements"; "7"; "(cli)" ] "from the command line"
            Expect.equal (row "max_depth") [ "max_depth"; "8"; "(default)" ] "default"
            Expect.equal (row "format") [ "format"; "binary"; "(default)" ] "binary by default"
            Expect.equal (row "max_trace_size") [ "max_trace_size"; "4G"; "(default)" ] "4G by default"
        }
        test "the format: trace.bin by default, valid; --format json gives trace.json; never both; the metadata says which" {
            let temp = Repo.tempFolder ()
            let out = Path.Combine(temp, "trace")
            let run = recordWithEnv [] [ "-o"; out; Repo.program "Recursion" ]
            Expect.equal run.ExitCode 0 run.Stderr
            let files () = Directory.GetFiles out |> Array.map Path.GetFileName |> Array.sort |> List.ofArray
            Expect.equal (files ()) [ "trace.bin"; "trace_metadata.json"; "trace_paths.json" ] "trace.bin"
            Expect.equal (policyOf out).["format"] ("binary", "default") "metadata"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            // The same folder recorded again as JSON: the trace.bin goes with the older trace.
            let again = recordWithEnv [ "CODETRACER_FORMAT", "binary" ] [ "-o"; out; "--format"; "json"; Repo.program "Recursion" ]
            Expect.equal again.ExitCode 0 again.Stderr
            Expect.equal (files ()) [ "trace.json"; "trace_metadata.json"; "trace_paths.json" ] "trace.json only"
            Expect.equal (policyOf out).["format"] ("json", "cli") "the command line wins"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
        }
        test "a bad format is a usage error naming the variable or option and the value" {
            let run = recordWithEnv [ "CODETRACER_FORMAT", "bogus" ] [ Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "CODETRACER_FORMAT=bogus: expected binary or json" "names variable and value"
            Expect.stringContains run.Stderr "ERR_INVALID_POLICY_VALUE" "code"
            let cli = recordWithEnv [] [ "--format"; "xml"; Repo.program "ExitCode" ]
            Expect.equal cli.ExitCode 2 cli.Stderr
            Expect.stringContains cli.Stderr "--format xml: expected binary or json (ERR_INVALID_POLICY_VALUE)" "names option and value"
        }
        test "a negative limit on the command line is a usage error" {
            let run = recordWithEnv [] [ "--max-depth"; "-1"; Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "--max-depth -1: expected a whole number >= 0" "says what was expected"
        }
    ]
