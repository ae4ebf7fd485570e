// The build: `dotnet fsi build.fsx <target>` with targets restore, build, test,
// demo, bench, pack (default: build). FAKE modules come from the Paket Build group's versions.
#r "nuget: Fake.Core.Target, 5.20.3"

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Fake.Core
open Fake.Core.TargetOperators

// `dotnet fsi build.fsx test` names the target as a plain word; FAKE wants `--target test`.
fsi.CommandLineArgs
|> Array.skip 1
|> Array.toList
|> (function
    | target :: rest when not (target.StartsWith "-") -> "--target" :: target :: rest
    | args -> args)
|> Context.FakeExecutionContext.Create false "build.fsx"
|> Context.RuntimeContext.Fake
|> Context.setExecutionContext

let root = __SOURCE_DIRECTORY__
let configuration = "Debug"
let cliDll = Path.Combine(root, "src", "Cli", "bin", configuration, "net10.0", "codetracer.dll")

/// Runs a command in the repository root, echoing its output; returns exit code and output.
let runCapture (exe: string) (args: string list) : int * string =
    let info = ProcessStartInfo(exe, WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true)
    args |> List.iter info.ArgumentList.Add
    use p = Process.Start info
    let captured = Text.StringBuilder()
    let mutable line = p.StandardOutput.ReadLine()
    while not (isNull line) do
        printfn "%s" line
        captured.AppendLine line |> ignore
        line <- p.StandardOutput.ReadLine()
    p.WaitForExit()
    p.ExitCode, captured.ToString()

let run exe args =
    let code, _ = runCapture exe args
    if code <> 0 then failwithf "%s %s exited with %d" exe (String.Join(" ", args)) code

let dotnet args = run "dotnet" args

Target.create "restore" (fun _ ->
    dotnet [ "tool"; "restore" ]
    dotnet [ "paket"; "restore" ])

Target.create "build" (fun _ -> dotnet [ "build"; "CodeTracer.sln"; "-c"; configuration; "-v"; "q"; "-nologo"; "-clp:ErrorsOnly" ])

let testProjects = [ "Core.Tests", "CodeTracer.Core.Tests"; "Shell.Tests", "CodeTracer.Shell.Tests"; "EndToEnd.Tests", "CodeTracer.EndToEnd.Tests"; "Shell.CSharp.Tests", "CodeTracer.Shell.CSharp.Tests" ]
let mutable totals = None

Target.create "test" (fun _ ->
    let summary = Regex(@"(\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored")
    let results =
        [ for folder, name in testProjects do
              let dll = Path.Combine(root, "tests", folder, "bin", configuration, "net10.0", name + ".dll")
              let code, output = runCapture "dotnet" [ dll; "--colours"; "0" ]
              match summary.Match(Regex.Replace(output, @"\x1b\[[0-9;?]*[A-Za-z]", "")) with
              | m when m.Success ->
                  let n (i: int) = int m.Groups.[i].Value
                  yield n 1, n 3 + n 4
              | _ -> yield 0, max 1 code ]
    totals <- Some(List.sumBy fst results, List.sumBy snd results))

Target.create "demo" (fun _ ->
    let demo = Path.Combine(root, "examples", "Demo", "bin", configuration, "net10.0", "Demo.dll")
    // The recorder's own summary line (on stderr) says calls, functions, steps and where the trace is.
    dotnet [ cliDll; "record"; "-o"; "trace-out"; demo; "--"; "3" ]
    dotnet [ cliDll; "print"; "trace-out"; "--summary" ]
    printfn "Open %s in CodeTracer." (Path.Combine(root, "trace-out")))

// `bench -- quick` measures the 1x length only, `bench -- read` only the reading of traces.
Target.create "bench" (fun p ->
    // Release builds of what the bench runs: the CLI that records, and the workloads it records.
    for project in [ "src/Cli"; "tests/programs/Workloads" ] do
        dotnet [ "build"; project; "-c"; "Release"; "-v"; "q"; "-nologo"; "-clp:ErrorsOnly" ]
    dotnet ([ "run"; "--project"; "tests/Bench"; "-c"; "Release"; "--"; root ] @ p.Context.Arguments))

Target.create "pack" (fun _ ->
    // The Shell package depends on the Core and Runtime packages, so all four are packed.
    for project in [ "src/Core.fs/CodeTracer.Core.fsproj"; "src/Runtime/CodeTracer.Runtime.csproj"; "src/Shell.CSharp/CodeTracer.Shell.csproj"; "src/Cli/CodeTracer.Cli.fsproj" ] do
        dotnet [ "pack"; project; "-c"; "Release"; "-o"; "artifacts"; "-v"; "q"; "-nologo" ])

"restore" ==> "build" ==> "test"
"build" ==> "demo"
"restore" ==> "bench"
"restore" ==> "pack"

try
    Target.runOrDefaultWithArguments "build"
finally
    match totals with
    | Some(passed, failed) ->
        printfn "%d passed, %d failed" passed failed
        if failed > 0 then exit 1
    | None -> ()
