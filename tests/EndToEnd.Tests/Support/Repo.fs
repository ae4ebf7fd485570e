/// Where things are: the repository root, the built CLI and programs, the validator.
module CodeTracer.EndToEnd.Tests.Repo

open System.IO

let root =
    let rec up (dir: DirectoryInfo) =
        if isNull dir then failwith "CodeTracer.sln not found above the test binaries"
        elif File.Exists(Path.Combine(dir.FullName, "CodeTracer.sln")) then dir.FullName
        else up dir.Parent
    up (DirectoryInfo System.AppContext.BaseDirectory)

let cliDll = Path.Combine(root, "src", "Cli", "bin", "Debug", "net10.0", "codetracer.dll")

/// The built app.dll of a program in tests/programs.
let program (name: string) = Path.Combine(root, "tests", "programs", name, "bin", "Debug", "net10.0", name + ".dll")

/// The source file of a program in tests/programs.
let source (name: string) = Path.Combine(root, "tests", "programs", name, "Program.cs")

/// The 1-based line of the first source line containing `marker`.
let lineOf (name: string) (marker: string) =
    let lines = File.ReadAllLines(source name)
    match Array.tryFindIndex (fun (l: string) -> l.Contains marker) lines with
    | Some i -> i + 1
    | None -> failwithf "%s not found in %s" marker (source name)

let validator = Path.Combine(root, "..", "shared", "tools", "ct-validate.py")

/// A fresh temporary folder for one test.
let tempFolder () =
    let d = Path.Combine(Path.GetTempPath(), "ct-e2e-" + System.Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d
