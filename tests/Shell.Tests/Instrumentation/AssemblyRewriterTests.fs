/// Instrumenting a staged copy of Loops: the manifest, which files are touched, and
/// the rewritten program loading, compiling and running like the original.
module CodeTracer.Shell.Tests.AssemblyRewriterTests

open System
open System.Diagnostics
open System.IO
open System.Reflection
open System.Runtime.CompilerServices
open System.Runtime.Loader
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording
open CodeTracer.Shell.Instrumentation

let private manifest () = snd LoopsFixture.instrumented.Value

let private methodNamed (name: string) =
    let m = manifest ()
    match m.Methods |> Array.tryFindIndex (fun x -> x.Name = name) with
    | Some id -> id, m.Methods[id]
    | None -> failtestf "no method %s in %A" name (m.Methods |> Array.map (fun x -> x.Name))

let private slot name typeName = { Name = name; TypeName = typeName; Shape = Plain; Capture = Read; Frame = -1 }

/// Slots without their places of the frame's memory (checked apart).
let private unplaced (slots: VariableSlot array) = slots |> Array.map (fun s -> { s with Frame = -1 })

/// The only site of a method at a source line.
let private siteAt (methodName: string) (line: int) =
    let id, _ = methodNamed methodName
    match (manifest ()).Sites |> Array.filter (fun s -> s.MethodId = id && s.Line = line) with
    | [| site |] -> site
    | sites -> failtestf "%d sites of %s at line %d" sites.Length methodName line

let private names (slots: VariableSlot array) = slots |> Array.map (fun s -> s.Name) |> List.ofArray

let private slotNamed (name: string) (slots: VariableSlot array) = { (slots |> Array.find (fun s -> s.Name = name)) with Frame = -1 }

let private enterIds (dll: string) =
    use m = ModuleDefinition.ReadModule(dll, ReaderParameters(InMemory = true))
    [ for t in m.GetTypes() do
          for x in t.Methods do
              if x.HasBody then
                  for i in x.Body.Instructions do
                      match i.Operand with
                      | :? MethodReference as r when r.Name = "Enter" && r.DeclaringType.FullName = "CodeTracer.Runtime.Probe" ->
                          yield (LoopsFixture.intConstant (nonNull i.Previous)).Value
                      | _ -> () ]

let private run (dll: string) (environment: (string * string) list) =
    let info = ProcessStartInfo("dotnet", [ dll ], RedirectStandardOutput = true, RedirectStandardError = true)
    for key, value in environment do
        info.Environment[key] <- value
    use p = nonNull (Process.Start info)
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    if not (p.WaitForExit 60_000) then
        p.Kill true
        failtest $"{dll} did not exit within a minute"
    p.ExitCode, stdout.Result, stderr.Result

let private loopBody = LoopsFixture.lineOf "total += i;"

/// Where Divide(1, 0) throws; Loops prints it from the exception's stack trace.
let private throwLine = LoopsFixture.lineOf "return a / b;"

/// Runs the instrumented Loops once with the runtime as its startup hook: exit code, stdout, stderr, raw log path.
let private instrumentedRun =
    lazy
        (let dir, _ = LoopsFixture.instrumented.Value
         let rawLog = Path.Combine(LoopsFixture.tempFolder (), "raw.log")
         let code, out, err =
             run
                 (Path.Combine(dir, "Loops.dll"))
                 [ "DOTNET_STARTUP_HOOKS", typeof<CodeTracer.Runtime.Probe>.Assembly.Location
                   CodeTracer.Runtime.RuntimeVariables.RawLog, rawLog ]
         code, out, err, rawLog)

/// The raw log's records, decoded by Core, per thread in log order
/// (chunks `[int64 thread][int32 length][records]`; a record may continue in the thread's next chunk).
let private rawRecordsByThread (path: string) =
    let reader = CodeTracer.Shell.TraceFiles.RawLogReader(path, System.Threading.Tasks.Task.CompletedTask)
    let chunks = reader.Chunks() |> Seq.map (fun struct (thread, records) -> thread, records) |> List.ofSeq
    Expect.isFalse reader.Truncated "every byte decoded"
    chunks
    |> List.groupBy fst
    |> List.map (fun (thread, parts) -> thread, parts |> List.collect snd)

/// Checks one thread's records against the protocol (each Enter and Return followed by
/// exactly the values of its read slots; a step's changed values, each after its `At`,
/// before the Step; steps of the running method; every call returned) and gives each
/// step's site and all its values, the unwritten ones from the frame's memory.
let private stepsOf (m: Manifest) (records: RawRecord list) =
    let reads (slots: VariableSlot array) = slots |> Array.filter (fun s -> s.Capture = Read)
    let steps = ResizeArray()
    // Each open call: its method and its memory, place -> last value written.
    let mutable stack: (int * Map<int, RawValue>) list = []
    let mutable pending: VariableSlot list = []
    let mutable at = -1
    let mutable written = Map.empty
    for record in records do
        match record with
        | RValue v when at >= 0 ->
            written <- Map.add at v written
            at <- -1
        | RValue v ->
            Expect.isNonEmpty pending $"a value with none expected: %A{v}"
            match stack with
            | (id, known) :: rest when pending.Head.Frame >= 0 -> stack <- (id, Map.add pending.Head.Frame v known) :: rest
            | _ -> ()
            pending <- List.tail pending
        | RAt position -> at <- position
        | _ ->
            Expect.isEmpty pending $"values missing before %A{record}"
            match record with
            | REnter id ->
                stack <- (id, Map.empty) :: stack
                pending <- List.ofArray (reads m.Methods[id].Args)
            | RStep id ->
                let site = m.Sites[id]
                match stack with
                | (top, known) :: rest ->
                    Expect.equal top site.MethodId "a step of the running method"
                    let mutable known = known
                    let values =
                        [ for i in 0 .. site.Variables.Length - 1 do
                              let slot = site.Variables[i]
                              if slot.Capture = Read then
                                  match Map.tryFind i written with
                                  | Some v ->
                                      known <- Map.add slot.Frame v known
                                      yield v
                                  | None ->
                                      match Map.tryFind slot.Frame known with
                                      | Some v -> yield v
                                      | None -> failtestf "site %d: %s never written in its frame" id slot.Name ]
                    stack <- (top, known) :: rest
                    steps.Add(id, values)
                | [] -> failtest "a step with no call open"
                written <- Map.empty
            | RReturn ->
                Expect.isNonEmpty stack "a return with a call open"
                let returning = m.Methods[fst (List.head stack)]
                stack <- List.tail stack
                pending <- if returning.IsVoid then [] else List.ofArray (reads [| { returning.Return with Frame = -1 } |])
            | _ -> ()
    Expect.isEmpty pending "the log ends after its values"
    Expect.isEmpty stack "every call returned"
    List.ofSeq steps

/// The Debug build output of tests/programs/Exceptions (built first by the project reference).
let private exceptionsOutput = Path.Combine(LoopsFixture.repoRoot, "tests", "programs", "Exceptions", "bin", "Debug", "net10.0")

/// The Debug build output of tests/programs/AsyncLambdas (built first by the project reference).
let private asyncLambdasOutput = Path.Combine(LoopsFixture.repoRoot, "tests", "programs", "AsyncLambdas", "bin", "Debug", "net10.0")

/// The Debug build output of tests/programs/Threads (built first by the project reference).
let private threadsOutput = Path.Combine(LoopsFixture.repoRoot, "tests", "programs", "Threads", "bin", "Debug", "net10.0")

let tests =
    testList
        "Instrumentation.AssemblyRewriter"
        [ testList
              "platform assemblies"
              [ for name, expected in
                    [ "System", true; "System.Linq", true; "Microsoft.Extensions.Logging", true; "netstandard", true
                      "mscorlib", true; "FSharp.Core", true; "CodeTracer.Runtime", true; "CodeTracer.Shell", true
                      "Loops", false; "SystemInfo", false; "MicrosoftStore", false; "FSharp.Data", false; "Shop.Core", false ] do
                    test name { Expect.equal (AssemblyRewriter.IsPlatformAssembly name) expected name } ]

          test "the manifest names every method with a body and lines" {
              let actual = (manifest ()).Methods |> Array.map (fun x -> x.Name) |> Array.sort
              let expected =
                  [| "Loops.Counter..ctor(int)"; "Loops.Counter.get_Count()"; "Loops.Counter.AddTo(ref int)"
                     "Loops.Program.Sum(int)"; "Loops.Program.Greet(string)"; "Loops.Program.Echo<T>(T)"
                     "Loops.Program.Describe(int)"; "Loops.Program.Divide(int, int)"; "Loops.Program.Main(string[])" |]
              Expect.equal actual (Array.sort expected) "method names"
          }

          test "paths are the absolute source paths" {
              let m = manifest ()
              Expect.equal m.Paths.Length 1 "one source file"
              Expect.isTrue (Path.IsPathRooted m.Paths[0]) m.Paths[0]
              Expect.equal (Path.GetFileName m.Paths[0]) "Program.cs" m.Paths[0]
              for x in m.Methods do
                  Expect.equal x.PathId 0 x.Name
          }

          test "methods: definition line, arguments, return" {
              let _, sum = methodNamed "Loops.Program.Sum(int)"
              Expect.equal sum.Line (LoopsFixture.lineOf "internal static int Sum(int n)" + 1) "line of the opening brace"
              Expect.equal (unplaced sum.Args) [| slot "n" "int" |] "Sum's arguments"
              Expect.equal (sum.Return, sum.IsVoid) (slot "<return_value>" "int", false) "returns int"

              let _, addTo = methodNamed "Loops.Counter.AddTo(ref int)"
              Expect.equal (unplaced addTo.Args) [| slot "this" "Loops.Counter"; slot "total" "int" |] "this first; the ref read through"
              Expect.equal (addTo.Return, addTo.IsVoid) (Manifest.voidReturn, true) "void"

              let _, echo = methodNamed "Loops.Program.Echo<T>(T)"
              Expect.equal (unplaced echo.Args) [| slot "x" "T" |] "a generic argument"
              Expect.equal echo.Return.TypeName "T" "a generic return"

              let _, ctor = methodNamed "Loops.Counter..ctor(int)"
              Expect.equal (unplaced ctor.Args) [| slot "this" "Loops.Counter"; slot "start" "int" |] "constructor"
              let _, getter = methodNamed "Loops.Counter.get_Count()"
              Expect.equal (unplaced getter.Args) [| slot "this" "Loops.Counter" |] "getter"
          }

          test "the loop body shows the argument and the locals in scope" {
              let site = siteAt "Loops.Program.Sum(int)" loopBody
              Expect.equal (unplaced site.Variables) [| slot "n" "int"; slot "total" "int"; slot "i" "int" |] "n, total, i"
              Expect.equal (site.Variables |> Array.map (fun v -> v.Frame)) [| 0; 1; 2 |] "n keeps its argument's place; total and i have their own"
              let after = siteAt "Loops.Program.Sum(int)" (LoopsFixture.lineOf "return total;")
              Expect.equal (names after.Variables) [ "n"; "total" ] "i is out of scope after the loop"
          }

          test "Main's locals: arrays, lists, enums, a Span that is not read" {
              let site = siteAt "Loops.Program.Main(string[])" (LoopsFixture.lineOf "Console.WriteLine($\"sum {Sum(10)}\");")
              let v = site.Variables
              Expect.equal
                  (names v)
                  [ "args"; "color"; "access"; "squares"; "list"; "span"; "spanTotal"; "counter"; "total"; "price"; "ratio"; "initial"; "done" ]
                  "arguments, then the locals in scope; no compiler temporaries"
              Expect.equal (slotNamed "args" v) (slot "args" "string[]") "args"
              Expect.equal (slotNamed "squares" v) (slot "squares" "int[]") "an array"
              Expect.equal (slotNamed "list" v) (slot "list" "List<int>") "a list"
              Expect.equal (slotNamed "counter" v) (slot "counter" "Loops.Counter") "an object"
              Expect.equal (slotNamed "price" v) (slot "price" "decimal") "a decimal"
              Expect.equal (slotNamed "initial" v) (slot "initial" "char") "a char"
              Expect.equal
                  (slotNamed "span" v)
                  { Name = "span"; TypeName = "Span<int>"; Shape = Plain; Capture = Fixed "<Span<int>>"; Frame = -1 }
                  "a ref struct is never read"
              Expect.equal
                  (slotNamed "color" v)
                  { slot "color" "Loops.Color" with Shape = EnumOf([| "Red", 0L; "Green", 5L; "Blue", 6L |], false) }
                  "an enum"
              Expect.equal
                  (slotNamed "access" v)
                  { slot "access" "Loops.Access" with Shape = EnumOf([| "None", 0L; "Read", 1L; "Write", 2L |], true) }
                  "a [Flags] enum"
          }

          test "ids point into the manifest, and each method's line is its first site's" {
              let m = manifest ()
              for site in m.Sites do
                  Expect.isTrue (site.MethodId >= 0 && site.MethodId < m.Methods.Length) "method id"
                  Expect.isTrue (site.PathId >= 0 && site.PathId < m.Paths.Length) "path id"
              m.Methods
              |> Array.iteri (fun id x ->
                  let first = m.Sites |> Array.find (fun s -> s.MethodId = id)
                  Expect.equal x.Line first.Line x.Name)
          }

          test "ids are global across the assemblies of one folder" {
              let dir = LoopsFixture.stage ()
              File.Copy(Path.Combine(dir, "Loops.dll"), Path.Combine(dir, "Loops2.dll"))
              File.Copy(Path.Combine(dir, "Loops.pdb"), Path.Combine(dir, "Loops2.pdb"))
              let m = AssemblyRewriter.InstrumentFolder(dir, null)
              let single = (manifest ()).Methods.Length
              Expect.equal m.Methods.Length (2 * single) "both copies"
              let first = enterIds (Path.Combine(dir, "Loops.dll")) |> List.sort
              let second = enterIds (Path.Combine(dir, "Loops2.dll")) |> List.sort
              Expect.equal first [ 0 .. single - 1 ] "Loops.dll first"
              Expect.equal second [ single .. 2 * single - 1 ] "then Loops2.dll"
          }

          test "skipped, symbol-less and unmanaged dlls are left as they are" {
              let dir = LoopsFixture.stage ()
              let dll = Path.Combine(dir, "Loops.dll")
              let bytes = File.ReadAllBytes dll
              let skipped = AssemblyRewriter.InstrumentFolder(dir, fun name -> name = "Loops")
              Expect.equal skipped Manifest.empty "skipped by the caller"
              Expect.equal (File.ReadAllBytes dll) bytes "untouched when skipped"

              File.Delete(Path.Combine(dir, "Loops.pdb"))
              File.WriteAllBytes(Path.Combine(dir, "native.dll"), [| 0x7Fuy; byte 'E'; byte 'L'; byte 'F'; 0uy; 0uy |])
              let noSymbols = AssemblyRewriter.InstrumentFolder(dir, null)
              Expect.equal noSymbols Manifest.empty "no symbols, not managed"
              Expect.equal (File.ReadAllBytes dll) bytes "untouched without symbols"
          }

          test "an instrumented assembly is not instrumented again" {
              let dir = LoopsFixture.stage ()
              let dll = Path.Combine(dir, "Loops.dll")
              AssemblyRewriter.InstrumentFolder(dir, null) |> ignore
              let bytes = File.ReadAllBytes dll
              Expect.equal (AssemblyRewriter.InstrumentFolder(dir, null)) Manifest.empty "nothing the second time"
              Expect.equal (File.ReadAllBytes dll) bytes "untouched"
          }

          test "an embedded PDB is read and written back embedded" {
              let dir = LoopsFixture.stage ()
              let dll = Path.Combine(dir, "Loops.dll")
              do
                  use m = LoopsFixture.readModule dll
                  m.Write(dll, WriterParameters(WriteSymbols = true, SymbolWriterProvider = EmbeddedPortablePdbWriterProvider()))
              File.Delete(Path.Combine(dir, "Loops.pdb"))

              let m = AssemblyRewriter.InstrumentFolder(dir, null)
              Expect.equal (m.Methods |> Array.map (fun x -> x.Name)) ((manifest ()).Methods |> Array.map (fun x -> x.Name)) "the same methods"
              Expect.isFalse (File.Exists(Path.Combine(dir, "Loops.pdb"))) "no PDB beside"
              do
                  use pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead dll)
                  let entries = pe.ReadDebugDirectory() |> Seq.map (fun e -> e.Type)
                  Expect.contains entries System.Reflection.PortableExecutable.DebugDirectoryEntryType.EmbeddedPortablePdb "embedded"
              let code, out, err = run dll [ "DOTNET_STARTUP_HOOKS", typeof<CodeTracer.Runtime.Probe>.Assembly.Location ]
              Expect.equal code 0 $"runs; stderr: {err}"
              Expect.stringContains out $"at line {throwLine}" "stack traces keep their lines"
          }

          test "the rewritten assembly loads and every method compiles" {
              let dir, m = LoopsFixture.instrumented.Value
              JitCheck.compileEvery dir "Loops.dll" m
          }

          test "every method of the instrumented Exceptions program compiles (try/fault around constructors, structs, generics, async, iterators, stackalloc)" {
              let dir = LoopsFixture.tempFolder ()
              for file in Directory.GetFiles exceptionsOutput do
                  File.Copy(file, Path.Combine(dir, nonNull (Path.GetFileName file)))
              let m = AssemblyRewriter.InstrumentFolder(dir, null)
              Expect.isGreaterThanOrEqual m.Methods.Length 20 "the program's methods were instrumented"
              JitCheck.compileEvery dir "Exceptions.dll" m
          }

          test "every method of the instrumented AsyncLambdas program compiles; its bodies carry the user's names" {
              let dir = LoopsFixture.tempFolder ()
              for file in Directory.GetFiles asyncLambdasOutput do
                  File.Copy(file, Path.Combine(dir, nonNull (Path.GetFileName file)))
              let m = AssemblyRewriter.InstrumentFolder(dir, null)
              let names = m.Methods |> Array.map (fun x -> x.Name)
              for name in [ "Shop.Cart.Total.<lambda 1>"; "Shop.Cart.Total.<lambda 3>"; "Shop.Cart.Total.Round(int)"; "Shop.Program.ComputeAsync(int)"; "Shop.Program.Squares(int)" ] do
                  Expect.contains names name "a user's name"
              Expect.isEmpty
                  (names |> Array.filter (fun n -> [ "MoveNext"; "<>"; "b__"; "d__"; "g__"; "DisplayClass" ] |> List.exists (fun part -> n.Contains part)))
                  "no compiler-generated name"
              let compute = m.Methods |> Array.find (fun x -> x.Name = "Shop.Program.ComputeAsync(int)")
              Expect.equal compute.Return.Capture Resumed "the state machine's return is chosen when it runs"
              Expect.equal (compute.Args |> Array.map (fun a -> a.Name)) [| "start" |] "the hoisted argument, not the state machine"
              JitCheck.compileEvery dir "AsyncLambdas.dll" m
          }

          test "every method of the instrumented Threads program compiles (thread, pool, Parallel.For and Task.Run lambdas)" {
              let dir = LoopsFixture.tempFolder ()
              for file in Directory.GetFiles threadsOutput do
                  File.Copy(file, Path.Combine(dir, nonNull (Path.GetFileName file)))
              let m = AssemblyRewriter.InstrumentFolder(dir, null)
              let names = m.Methods |> Array.map (fun x -> x.Name)
              for name in [ "Threads.Program.Main()"; "Threads.Program.Worker()"; "Threads.Program.Spin(int)"; "Threads.Program.Square(int)" ] do
                  Expect.contains names name "a user's method"
              JitCheck.compileEvery dir "Threads.dll" m
          }

          test "the filter's obj: name of async, iterator, lambda and local function bodies is their user method's" {
              use md = ModuleDefinition.ReadModule(Path.Combine(asyncLambdasOutput, "AsyncLambdas.dll"), ReaderParameters(ReadSymbols = true))
              let qualified (typeName: string) (methodName: string) =
                  let t = md.GetTypes() |> Seq.find (fun t -> t.FullName = typeName)
                  t.Methods |> Seq.find (fun m -> m.Name.StartsWith methodName) |> InstrumentationPolicy.QualifiedName
              Expect.equal (qualified "Shop.Program/<ComputeAsync>d__0" "MoveNext") "Shop.Program.ComputeAsync" "async body"
              Expect.equal (qualified "Shop.Program/<Squares>d__2" "MoveNext") "Shop.Program.Squares" "iterator body"
              Expect.equal (qualified "Shop.Cart/<>c" "<Total>b__") "Shop.Cart.Total" "a lambda capturing nothing"
              Expect.equal (qualified "Shop.Cart/<>c__DisplayClass1_0" "<Total>b__") "Shop.Cart.Total" "a closure's lambda"
              Expect.equal (qualified "Shop.Cart" "<Total>g__Round") "Shop.Cart.Total" "a local function"
              Expect.equal (qualified "Shop.Cart" "Total") "Shop.Cart.Total" "the method itself"
          }

          test "the rewritten program runs like the original and writes a raw log" {
              let expectedCode, expectedOut, _ = run (Path.Combine(LoopsFixture.output, "Loops.dll")) []
              Expect.equal expectedCode 0 "the original exits 0"
              Expect.stringContains expectedOut $"at line {throwLine}" "the original's stack trace has the line"

              let code, out, err, rawLog = instrumentedRun.Value
              Expect.equal code 0 $"the instrumented program exits 0; stderr: {err}"
              Expect.equal out expectedOut "same output, stack trace lines included"
              Expect.isTrue (File.Exists rawLog && FileInfo(rawLog).Length > 0L) "a non-empty raw log"
          }

          test "the raw log follows the protocol, a step per loop iteration" {
              let _, _, _, rawLog = instrumentedRun.Value
              let m = manifest ()
              let steps = rawRecordsByThread rawLog |> List.collect (fun (_, records) -> stepsOf m records)
              Expect.isNonEmpty steps "steps recorded"

              let loopSite = m.Sites |> Array.findIndex (fun s -> s.Line = loopBody)
              let expected = [ for i in 0L .. 9L -> [ RInt 10L; RInt(i * (i - 1L) / 2L); RInt i ] ]
              Expect.equal (steps |> List.filter (fun (s, _) -> s = loopSite) |> List.map snd) expected "Sum(10): n, total, i at each iteration"

              for case in [ "return \"zero\";"; "return \"one\";"; "return \"two\";"; "return \"three\";"; "return \"many\";" ] do
                  let line = LoopsFixture.lineOf case
                  let hits = steps |> List.filter (fun (s, _) -> m.Sites[s].Line = line) |> List.length
                  Expect.equal hits 1 $"{case} once"
          } ]
