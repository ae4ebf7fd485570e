/// Recording a project file: built in Debug first, then recorded; a build
/// failure says what the compiler said.
module CodeTracer.EndToEnd.Tests.ProjectTests

open System.IO
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let tests =
    testList "Projects" [
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
