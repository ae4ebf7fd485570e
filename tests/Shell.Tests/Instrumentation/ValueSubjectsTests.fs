/// How the instrumenter presents a method's values to value selectors (`ValueSubjects`):
/// a setter's `value` judged by its property, a return value by its method's own name,
/// whether a declared type is text; read from the built Secrets program.
module CodeTracer.Shell.Tests.ValueSubjectsTests

open System.IO
open Expecto
open Mono.Cecil
open CodeTracer.Core.TraceFilter
open CodeTracer.Shell.Instrumentation

let private secrets =
    lazy (LoopsFixture.readModule (Path.Combine(LoopsFixture.repoRoot, "tests", "programs", "Secrets", "bin", "Debug", "net10.0", "Secrets.dll")))

let private methodOf (typeName: string) (name: string) =
    secrets.Value.GetTypes() |> Seq.find (fun t -> t.FullName = typeName) |> fun t -> t.Methods |> Seq.find (fun m -> m.Name = name)

/// The state machine's `MoveNext` of an async method or iterator.
let private moveNextOf (typeName: string) (kickoff: string) =
    secrets.Value.GetTypes()
    |> Seq.find (fun t -> t.DeclaringType <> null && t.DeclaringType.FullName = typeName && t.Name.StartsWith("<" + kickoff + ">"))
    |> fun t -> t.Methods |> Seq.find (fun m -> m.Name = "MoveNext")

let private subject (m: MethodDefinition) (kind: ValueKind) (name: string) (t: TypeReference) =
    let s = ValueSubjects.Of(m, InstrumentationPolicy.QualifiedName m, kind, name, t)
    s.Name, s.Judged, s.IsText

let tests =
    testList
        "Instrumentation.ValueSubjects"
        [ test "a setter's value is judged by its property's name, under its own name for other patterns" {
              let setter = methodOf "Vault.Settings" "set_Password"
              Expect.equal (subject setter ValueKind.Arg "value" setter.Parameters.[0].ParameterType) ("value", "Password", true) "set_Password(value)"
              let ctor = methodOf "Vault.Db" "Open"
              Expect.equal (subject ctor ValueKind.Arg "connectionString" ctor.Parameters.[0].ParameterType) ("connectionString", "connectionString", true) "an ordinary argument"
          }

          test "a return value by its method's own name, never its type or namespace" {
              let solve = methodOf "Graphs.Kruskal" "Solve"
              Expect.equal (subject solve ValueKind.Ret "" solve.ReturnType) ("Graphs.Kruskal.Solve", "Solve", false) "Solve returning a MinimumSpanningTree"
              let getter = methodOf "Vault.Settings" "get_Password"
              Expect.equal (subject getter ValueKind.Ret "" getter.ReturnType) ("Vault.Settings.get_Password", "Password", true) "a getter by its property"
              let next = methodOf "Lexing.Lexer" "NextToken"
              Expect.equal (subject next ValueKind.Ret "" next.ReturnType) ("Lexing.Lexer.NextToken", "NextToken", false) "a Token is not text"
          }

          test "an async method's and an iterator's result: the user method's name, the type inside the task or sequence" {
              for kickoff, expected in [ "GetPasswordAsync", "System.String"; "PasswordStream", "System.String" ] do
                  let moveNext = moveNextOf "Vault.Db" kickoff
                  Expect.equal (ValueSubjects.OwnName moveNext) kickoff "the user method's name"
                  Expect.equal (StateMachine.ResultType(methodOf "Vault.Db" kickoff)).FullName expected "the result type"
          }

          test "text types as Cecil sees them" {
              let tokenize = methodOf "Lexing.Lexer" "Tokenize"
              Expect.isFalse (FilterApi.IsText(ValueSubjects.ShapeOf tokenize.ReturnType)) "List<Token>"
              Expect.isTrue (FilterApi.IsText(ValueSubjects.ShapeOf tokenize.Parameters.[0].ParameterType)) "string"
              let jaccard = methodOf "Graphs.Kruskal" "Jaccard"
              Expect.isFalse (FilterApi.IsText(ValueSubjects.ShapeOf jaccard.Parameters.[0].ParameterType)) "HashSet<int>"
          } ]
