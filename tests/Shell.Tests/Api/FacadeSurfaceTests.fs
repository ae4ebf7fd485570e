/// The C# facade's border: only Api/ is public, it speaks no F# types, and its outcome enum
/// names every outcome of the core.
module CodeTracer.Shell.Tests.FacadeSurfaceTests

open System
open System.Reflection
open Expecto
open Microsoft.FSharp.Reflection
open CodeTracer.Core.Recording
open CodeTracer.Shell

let private shell = typeof<RecordingOutcome>.Assembly

/// The types a public member's signature names (its own type, parameters, generic arguments).
let rec private named (t: Type) : Type list =
    t :: [ match t.GetElementType() with
           | null -> ()
           | element -> yield! named element
           for a in t.GetGenericArguments() do yield! named a ]

let private signature (m: MemberInfo) : Type list =
    match m with
    | :? PropertyInfo as p -> named p.PropertyType
    | :? FieldInfo as f -> named f.FieldType
    | :? MethodInfo as m -> named m.ReturnType @ [ for p in m.GetParameters() do yield! named p.ParameterType ]
    | :? ConstructorInfo as c -> [ for p in c.GetParameters() do yield! named p.ParameterType ]
    | :? EventInfo as e -> (match e.EventHandlerType with null -> [] | h -> named h)
    | _ -> []

let tests =
    testList "Facade surface" [
        test "the public types are the facade's, in its namespace; the rest of the shell is internal" {
            let outside = shell.GetExportedTypes() |> Array.filter (fun t -> t.Namespace <> "CodeTracer.Shell")
            Expect.isEmpty outside "public types outside Api/'s namespace"
            Expect.contains (shell.GetExportedTypes()) typeof<CodeTracerRecorder> "the entry point is public"
        }

        test "no public member of the facade names an F# or core type" {
            let flags = BindingFlags.Public ||| BindingFlags.Instance ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly
            let leaks =
                [ for t in shell.GetExportedTypes() do
                      for m in t.GetMembers flags do
                          for s in signature m do
                              if s.Assembly = typeof<Outcome>.Assembly || s.Assembly = typeof<FSharpFunc<int, int>>.Assembly then
                                  yield sprintf "%s.%s: %s" t.Name m.Name s.FullName ]
            Expect.isEmpty leaks "F# or core types in the facade"
        }

        test "each core outcome is the enum member of its name, and the enum has no other" {
            let cases = FSharpType.GetUnionCases typeof<Outcome>
            for case in cases do
                let outcome = FSharpValue.MakeUnion(case, [||]) |> unbox<Outcome>
                Expect.equal (string (RecordingOutcome.KindOf outcome)) case.Name case.Name
            Expect.equal (Enum.GetNames<OutcomeKind>()) (cases |> Array.map (fun c -> c.Name)) "the same members, in the same order"
        }
    ]
