/// Recording a project file: built in Debug first, then recorded; a build
/// failure says what the compiler said.
module CodeTracer.EndToEnd.Tests.ProjectTests

open System.IO
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// A project of one file in a fresh folder: its path.
let private project (properties: string) (program: string) =
    let folder = Repo.tempFolder ()
    let path = Path.Combine(folder, "App.csproj")
    File.WriteAllText(path, sprintf "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><ImplicitUsings>disable</ImplicitUsings>%s</PropertyGroup></Project>" properties)
    File.WriteAllText(Path.Combine(folder, "Program.cs"), program)
    path

let private recordProject (options: string list) (path: string) =
    let out = Path.Combine(Path.GetDirectoryName path, "trace")
    Cli.codetracer ([ "record"; "-o"; out ] @ options @ [ path ]), out

let tests =
    testList "Projects" [
        test "the build the user runs: -p lifts warnings as errors, -c and -p:DefineConstants reach the compiler" {
            let path =
                project "<TargetFramework>net10.0</TargetFramework><TreatWarningsAsErrors>true</TreatWarningsAsErrors>"
                    "class P {\n  static void Main() {\n    int unused;\n#if FOO\n    System.Console.WriteLine(\"foo\");\n#else\n    System.Console.WriteLine(\"plain\");\n#endif\n  }\n}\n"
            let failed, out = recordProject [] path
            Expect.equal failed.ExitCode 1 failed.Stderr
            Expect.stringContains failed.Stderr "ERR_BUILD_FAILED" "code"
            Expect.stringContains failed.Stderr "Program.cs(3,9): error CS0168" "the warning, an error, located"
            Expect.isFalse (failed.Stderr.Contains "App.csproj]") "without MSBuild's project suffix"
            Expect.isFalse (Directory.Exists out) "no trace"
            let run, out = recordProject [ "-c"; "Release"; "-p:TreatWarningsAsErrors=false"; "--property"; "DefineConstants=FOO" ] path
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.equal run.Stdout "foo\n" "built with the user's constant"
            let metadata = File.ReadAllText(Path.Combine(out, "trace_metadata.json"))
            Expect.stringContains metadata (Path.Combine("bin", "Release", "net10.0", "App.dll")) "the Release build was recorded"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
        }
        test "a project of several frameworks needs --framework, which names the one to record" {
            let path = project "<TargetFrameworks>net10.0;net9.0</TargetFrameworks>" "class P { static void Main() { System.Console.WriteLine(\"hi\"); } }"
            let run, _ = recordProject [] path
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "ERR_INVALID_BUILD_OPTIONS" "code"
            Expect.stringContains run.Stderr "it targets net10.0, net9.0: choose one with --framework" "the frameworks"
            let chosen, _ = recordProject [ "--framework"; "net10.0" ] path
            Expect.equal chosen.ExitCode 0 chosen.Stderr
            Expect.equal chosen.Stdout "hi\n" "ran"
        }
        test "a failed build shows its first five errors, one located line each, and counts the rest" {
            let lines = [ for i in 1..7 -> sprintf "    int x%d = \"no\";" i ]
            let path = project "<TargetFramework>net10.0</TargetFramework>" ("class P { static void Main() {\n" + String.concat "\n" lines + "\n} }\n")
            let run, _ = recordProject [] path
            Expect.equal run.ExitCode 1 run.Stderr
            let errors = run.Stderr.Split '\n' |> Array.filter (fun l -> l.Contains ": error CS0029")
            Expect.equal (errors |> Array.map (fun l -> l.Substring(l.IndexOf "Program.cs(", 13))) [| for i in 2..6 -> sprintf "Program.cs(%d," i |] "the first five, in order"
            Expect.stringContains run.Stderr "… and 2 more errors" "the rest counted"
        }
        test "build options with a built program are a usage error" {
            let run = Cli.codetracer [ "record"; "-o"; Path.Combine(Repo.tempFolder (), "trace"); "-c"; "Release"; Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "ERR_INVALID_BUILD_OPTIONS" "code"
            let bad = Cli.codetracer [ "record"; "-p:NoValue"; Repo.program "ExitCode" ]
            Expect.equal bad.ExitCode 2 bad.Stderr
            Expect.equal bad.Stderr "codetracer: -p: property 'NoValue' is not Name=Value\n" "one line"
        }
        test "record App.csproj builds it and records its output, arguments after --" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let project = Path.Combine(Repo.root, "tests", "programs", "ExitCode", "ExitCode.csproj")
            let run = Cli.codetracer [ "record"; "-o"; out; project; "--"; "4" ]
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.equal run.Stdout "exiting with 4\n" "the program ran with its argument"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            let decide = load out |> callsOf "ExitCode.Program.Decide(string[])" |> List.exactlyOne
            Expect.equal decide.Returned (Some "4") "recorded"
        }
        test "a build failure is ERR_BUILD_FAILED with the compiler's message" {
            let folder = Repo.tempFolder ()
            File.WriteAllText(Path.Combine(folder, "Broken.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>")
            File.WriteAllText(Path.Combine(folder, "Program.cs"), "class P { static void Main() { int x = \"no\"; } }")
            let run = Cli.codetracer [ "record"; "-o"; Path.Combine(folder, "trace"); Path.Combine(folder, "Broken.csproj") ]
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.stringContains run.Stderr "ERR_BUILD_FAILED" "code"
            Expect.stringContains run.Stderr "error CS0029" "the compiler's error"
            Expect.isFalse (Directory.Exists(Path.Combine(folder, "trace"))) "no trace"
        }
    ]
