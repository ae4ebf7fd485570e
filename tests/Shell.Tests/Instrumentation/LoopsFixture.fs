/// The Loops program (tests/programs/Loops): where its build output is, staged
/// copies of it, and one instrumented copy shared by the tests that only read it.
module CodeTracer.Shell.Tests.LoopsFixture

open System
open System.IO
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Shell.Instrumentation

let repoRoot =
    let rec up (dir: DirectoryInfo | null) =
        match dir with
        | null -> failwith "CodeTracer.sln not found above the test binaries"
        | dir when File.Exists(Path.Combine(dir.FullName, "CodeTracer.sln")) -> dir.FullName
        | dir -> up dir.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// The Debug build output of Loops (built before the tests by the project reference).
let output = Path.Combine(repoRoot, "tests", "programs", "Loops", "bin", "Debug", "net10.0")

let source = Path.Combine(repoRoot, "tests", "programs", "Loops", "Program.cs")

/// The 1-based line of the only source line containing `marker`.
let lineOf (marker: string) =
    match File.ReadAllLines source |> Array.indexed |> Array.filter (fun (_, l) -> l.Contains marker) with
    | [| i, _ |] -> i + 1
    | found -> failwithf "%d lines of %s contain %s" found.Length source marker

let private folders = Collections.Concurrent.ConcurrentBag<string>()

do AppDomain.CurrentDomain.ProcessExit.Add(fun _ ->
    for dir in folders do
        try Directory.Delete(dir, true) with _ -> ())

/// A fresh, empty temporary folder, deleted when the tests end.
let tempFolder () =
    let dir = Directory.CreateTempSubdirectory("ct-shell-tests-").FullName
    folders.Add dir
    dir

/// A fresh copy of the Loops output folder.
let stage () =
    let dir = tempFolder ()
    for file in Directory.GetFiles output do
        File.Copy(file, Path.Combine(dir, nonNull (Path.GetFileName file)))
    dir

/// One instrumented copy of Loops and its manifest.
let instrumented = lazy (let dir = stage () in dir, AssemblyRewriter.InstrumentFolder(dir, null))

/// Reads a Loops.dll (original or rewritten) with its symbols, into memory.
let readModule (dll: string) =
    let resolver = new DefaultAssemblyResolver()
    resolver.AddSearchDirectory(nonNull (Path.GetDirectoryName dll))
    ModuleDefinition.ReadModule(dll, ReaderParameters(ReadSymbols = true, InMemory = true, AssemblyResolver = resolver))

let method (m: ModuleDefinition) (typeName: string) (name: string) =
    m.GetType(typeName).Methods |> Seq.find (fun x -> x.Name = name)

/// The value an `ldc.i4` instruction in any of its forms pushes.
let intConstant (i: Instruction) =
    match i.OpCode.Code with
    | Code.Ldc_I4 -> Some(i.Operand :?> int)
    | Code.Ldc_I4_S -> Some(int (i.Operand :?> sbyte))
    | Code.Ldc_I4_M1 -> Some -1
    | Code.Ldc_I4_0 -> Some 0 | Code.Ldc_I4_1 -> Some 1 | Code.Ldc_I4_2 -> Some 2 | Code.Ldc_I4_3 -> Some 3
    | Code.Ldc_I4_4 -> Some 4 | Code.Ldc_I4_5 -> Some 5 | Code.Ldc_I4_6 -> Some 6 | Code.Ldc_I4_7 -> Some 7
    | Code.Ldc_I4_8 -> Some 8
    | _ -> None
