// The build: `dotnet fsi build.fsx <target>` with targets restore, build, test,
// demo, bench, pack (default: build). FAKE modules come from the Paket Build group's versions.
#r "nuget: Fake.Core.Target, 5.20.3"

open System
open System.Diagnostics
open System.IO
open System.Xml.Linq
open Fake.Core
open Fake.Core.TargetOperators

// `dotnet fsi build.fsx test` names the target as a plain word; FAKE wants `--target test`.
let fakeArgs =
    match fsi.CommandLineArgs |> Array.skip 1 |> Array.toList with
    | target :: rest when not (target.StartsWith "-") -> "--target" :: target :: rest
    | args -> args

/// The target asked for (FAKE runs the targets it depends on first).
let requested =
    match fakeArgs with
    | "--target" :: target :: _ -> target
    | _ -> "build"

fakeArgs
|> Context.FakeExecutionContext.Create false "build.fsx"
|> Context.RuntimeContext.Fake
|> Context.setExecutionContext

let root = __SOURCE_DIRECTORY__
let configuration = "Debug"
let cliDll = Path.Combine(root, "src", "Cli", "bin", configuration, "net10.0", "codetracer.dll")

/// Runs a command in the repository root with its standard output through a pipe, echoed line by
/// line (so a test program sees the same at a terminal as on CI); returns its exit code.
let runEchoed (exe: string) (args: string list) : int =
    let info = ProcessStartInfo(exe, WorkingDirectory = root, UseShellExecute = false, RedirectStandardOutput = true)
    args |> List.iter info.ArgumentList.Add
    use p = Process.Start info
    let mutable line = p.StandardOutput.ReadLine()
    while not (isNull line) do
        printfn "%s" line
        line <- p.StandardOutput.ReadLine()
    p.WaitForExit()
    p.ExitCode

let run exe args =
    let code = runEchoed exe args
    if code <> 0 then failwithf "%s %s exited with %d" exe (String.Join(" ", args)) code

let dotnet args = run "dotnet" args

Target.create "restore" (fun _ ->
    dotnet [ "tool"; "restore" ]
    dotnet [ "paket"; "restore" ])

Target.create "build" (fun _ -> dotnet [ "build"; "CodeTracer.sln"; "-c"; configuration; "-v"; "q"; "-nologo"; "-clp:ErrorsOnly" ])

/// Each test project writes a JUnit results file; `test` sums them into its closing line.
let testResults = Path.Combine(root, "artifacts", "test-results")

/// The test projects: folder, assembly, and the arguments that make its runner write a JUnit file.
let testProjects =
    let expecto file = [ "--colours"; "0"; "--junit-summary"; file ]
    let xunit file = [ "-noColor"; "-result-junit"; file ]
    [ "Core.Tests", "CodeTracer.Core.Tests", expecto
      "Shell.Tests", "CodeTracer.Shell.Tests", expecto
      "EndToEnd.Tests", "CodeTracer.EndToEnd.Tests", expecto
      "Shell.CSharp.Tests", "CodeTracer.Shell.CSharp.Tests", xunit ]

/// Passed and failed test cases of a JUnit file (Expecto's and xUnit's alike): a case holding a
/// <failure> or an <error> failed, one holding <skipped> did not run, any other passed.
let junitCounts (file: string) : int * int =
    let cases = XDocument.Load(file).Descendants(XName.Get "testcase") |> List.ofSeq
    let holds name (case: XElement) = not (isNull (case.Element(XName.Get name)))
    let failed = cases |> List.filter (fun c -> holds "failure" c || holds "error" c) |> List.length
    let skipped = cases |> List.filter (fun c -> holds "skipped" c && not (holds "failure" c || holds "error" c)) |> List.length
    cases.Length - failed - skipped, failed

/// The results of a test project that crashed or reported nothing: one failed case that says so,
/// in a file of its own beside what the project wrote.
let writeBroken (assembly: string) (why: string) =
    let case = XElement(XName.Get "testcase", XAttribute(XName.Get "name", assembly), XElement(XName.Get "failure", XAttribute(XName.Get "message", why)))
    XDocument(XElement(XName.Get "testsuites", XElement(XName.Get "testsuite", XAttribute(XName.Get "name", assembly), case)))
        .Save(Path.Combine(testResults, assembly + ".broken.xml"))

Target.create "test" (fun _ ->
    Directory.CreateDirectory testResults |> ignore
    for folder, assembly, resultArgs in testProjects do
        let dll = Path.Combine(root, "tests", folder, "bin", configuration, "net10.0", assembly + ".dll")
        let file = Path.Combine(testResults, assembly + ".xml")
        let code = runEchoed "dotnet" (dll :: resultArgs file)
        let counts = if File.Exists file then (try Some(junitCounts file) with :? Xml.XmlException -> None) else None
        match counts with
        | None ->
            File.Delete file
            writeBroken assembly (sprintf "exited with %d and wrote no readable results" code)
        | Some(0, 0) -> writeBroken assembly (sprintf "exited with %d and ran no test" code)
        | Some(_, 0) when code <> 0 -> writeBroken assembly (sprintf "exited with %d with no test failed" code)
        | Some _ -> ())

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

// Results left by an earlier run must not count for this one (nor be taken for this run's when its build fails).
if requested = "test" && Directory.Exists testResults then Directory.Delete(testResults, recursive = true)

try
    Target.runOrDefaultWithArguments "build"
finally
    // After FAKE's report, so that it is the last line: the totals of the results files the
    // test target wrote in this run (none when the build before it failed).
    if requested = "test" && Directory.Exists testResults then
        let counts = Directory.GetFiles(testResults, "*.xml") |> Array.map junitCounts
        let passed, failed = Array.sumBy fst counts, Array.sumBy snd counts
        printfn "%d passed, %d failed" passed failed
        if failed > 0 then exit 1
