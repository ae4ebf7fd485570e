/// Instrumented programs forced through the JIT: every method with a body, so that an
/// invalid body fails a test even where the program never calls it.
module CodeTracer.Shell.Tests.JitCheck

open System
open System.IO
open System.Reflection
open System.Runtime.CompilerServices
open System.Runtime.Loader
open Expecto
open CodeTracer.Core.Recording
open CodeTracer.Shell.Instrumentation

/// Loads a staged program in a collectible context, CodeTracer.Runtime from the Shell's folder.
type StagedContext(folder: string) =
    inherit AssemblyLoadContext("staged-program", true)

    override this.Load(name: AssemblyName) : Assembly | null =
        let shellFolder = nonNull (Path.GetDirectoryName typeof<ManifestBuilder>.Assembly.Location)
        let candidates =
            match name.Name with
            | null -> []
            | "CodeTracer.Runtime" -> [ Path.Combine(shellFolder, "CodeTracer.Runtime.dll") ]
            | simple -> [ Path.Combine(folder, simple + ".dll") ] |> List.filter File.Exists
        match candidates with
        | path :: _ -> this.LoadFromAssemblyPath path
        | [] -> null

/// The Debug build output of a program of tests/programs (built first by a project reference).
let programOutput (name: string) = Path.Combine(LoopsFixture.repoRoot, "tests", "programs", name, "bin", "Debug", "net10.0")

/// An instrumented copy of a program's build output: its folder and manifest.
let instrumentCopy (program: string) =
    let dir = LoopsFixture.tempFolder ()
    for file in Directory.GetFiles(programOutput program) do
        File.Copy(file, Path.Combine(dir, nonNull (Path.GetFileName file)))
    dir, AssemblyRewriter.InstrumentFolder(dir, null)

/// Type arguments tried for a generic type or method, the same one for each parameter: a
/// value type (code specialised for it: `box T`, constrained calls), a reference type
/// (shared code), then the program's own non-generic types, for constraints only they meet
/// (`where TSelf : IShape<TSelf>`).
let private candidates (assembly: Assembly) =
    [ typeof<int>; typeof<string>; typeof<obj> ]
    @ (assembly.GetTypes() |> Array.filter (fun t -> not t.ContainsGenericParameters && not t.IsByRefLike) |> List.ofArray)

/// Every instantiation of `parameters` (one candidate for all) that meets the constraints, at most two.
let private instantiations (assembly: Assembly) (count: int) (make: Type array -> unit) =
    candidates assembly
    |> Seq.choose (fun c ->
        let args = Array.create count c
        try
            make args
            Some args
        with :? ArgumentException -> None)
    |> Seq.truncate 2
    |> List.ofSeq

/// Loads an instrumented program in a collectible context and forces every method with a
/// body through the JIT; generic types and methods for a value and a reference type where
/// their constraints allow. Fails with every method that does not compile, and when fewer
/// methods compiled than the manifest has.
let compileEvery (dir: string) (dll: string) (m: Manifest) =
    let context = StagedContext(dir)
    try
        let assembly = context.LoadFromAssemblyPath(Path.Combine(dir, dll))
        Expect.contains
            (assembly.GetReferencedAssemblies() |> Array.map (fun a -> a.Name))
            "CodeTracer.Runtime"
            "references the runtime"
        let flags =
            BindingFlags.DeclaredOnly ||| BindingFlags.Public ||| BindingFlags.NonPublic
            ||| BindingFlags.Static ||| BindingFlags.Instance
        let mutable compiled = 0
        let failures = Collections.Generic.List<string>()
        let prepare (x: MethodBase) (instantiation: Type array) =
            try
                if instantiation.Length = 0 then RuntimeHelpers.PrepareMethod x.MethodHandle
                else RuntimeHelpers.PrepareMethod(x.MethodHandle, instantiation |> Array.map (fun t -> t.TypeHandle))
            with e ->
                failures.Add $"{x.DeclaringType}.{x} {instantiation |> Array.map string}: {e.GetType().Name}: {e.Message}"
        for t in assembly.GetTypes() do
            let typeArgs =
                if t.IsGenericTypeDefinition then
                    instantiations assembly (t.GetGenericArguments().Length) (fun args -> t.MakeGenericType args |> ignore)
                else [ [||] ]
            let methods = Seq.append (t.GetMethods flags |> Seq.cast<MethodBase>) (t.GetConstructors flags |> Seq.cast<MethodBase>)
            for x in methods do
                if not (isNull (x.GetMethodBody())) then
                    if typeArgs.IsEmpty then failures.Add $"{t}: no type arguments meet its constraints"
                    for classArgs in typeArgs do
                        if x.IsGenericMethodDefinition then
                            let info = x :?> MethodInfo
                            let closed =
                                if classArgs.Length = 0 then info
                                else MethodBase.GetMethodFromHandle(x.MethodHandle, (t.MakeGenericType classArgs).TypeHandle) :?> MethodInfo
                            let methodArgs =
                                instantiations assembly (info.GetGenericArguments().Length) (fun args -> closed.MakeGenericMethod args |> ignore)
                            if methodArgs.IsEmpty then failures.Add $"{t}.{x}: no type arguments meet its constraints"
                            for args in methodArgs do
                                prepare x (Array.append classArgs args)
                        else
                            prepare x classArgs
                    compiled <- compiled + 1
        Expect.isEmpty failures ("every method compiles:\n" + String.concat "\n" failures)
        Expect.isGreaterThanOrEqual compiled m.Methods.Length "every instrumented method was compiled"
    finally
        context.Unload()
