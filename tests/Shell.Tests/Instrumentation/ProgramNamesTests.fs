/// Every function name of every program in tests/programs reads as its user wrote it: no
/// part only the C# or F# compiler writes, in any method the recorder would instrument
/// (those with a visible line), called or not.
module CodeTracer.Shell.Tests.ProgramNamesTests

open System.IO
open System.Text.RegularExpressions
open Expecto
open Mono.Cecil
open CodeTracer.Shell.Instrumentation

/// Parts of names only a compiler writes: F# closures `name@12`, generic closures
/// `name@12T<a>`, their `Invoke`, a seq's `GenerateNext`, a file's `<StartupCode$App>`
/// class, SRTP witness copies `add$W`; C# `<Main>b__0_0`, `<>c__DisplayClass`, `MoveNext`.
let private generated = Regex(@"@|\bInvoke\b|GenerateNext|StartupCode\$|\$W\b|MoveNext|<>|b__|d__|g__|DisplayClass")

/// `..cctor` only where the user wrote a static constructor (a type's own, not an F# file's initializer).
let private badName (m: MethodDefinition) (name: string) =
    generated.IsMatch name || (name.Contains "..cctor" && (m.Name <> ".cctor" || GeneratedCode.IsModuleInitializer m))

let private namesOf (dll: string) =
    use md = ModuleDefinition.ReadModule(dll, ReaderParameters(ReadSymbols = true))
    [ for t in md.GetTypes() do
          for m in t.Methods do
              if m.HasBody && m.DebugInformation.SequencePoints |> Seq.exists (fun p -> not p.IsHidden) then
                  m.Name, DisplayNames.OfMethod m, badName m (DisplayNames.OfMethod m) ]

let private programs =
    Directory.GetDirectories(Path.Combine(LoopsFixture.repoRoot, "tests", "programs"))
    |> Array.map Path.GetFileName
    |> Array.sort

let tests =
    testList
        "Instrumentation.ProgramNames"
        [ for program in programs ->
              test $"{program}: no compiler-generated part in any function name" {
                  let dll = Path.Combine(JitCheck.programOutput program, program + ".dll")
                  Expect.isTrue (File.Exists dll) $"{dll} is built (the solution build builds every program)"
                  let names = namesOf dll
                  Expect.isNonEmpty names "the program has methods with lines"
                  let bad = names |> List.filter (fun (_, _, bad) -> bad) |> List.map (fun (m, n, _) -> $"{m}: {n}")
                  Expect.equal bad [] "names with a compiler's part"
              } ]
