module CodeTracer.Shell.Tests.ValueProbesTests

open System
open System.IO
open System.Collections.Generic
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Core.Recording
open CodeTracer.Shell.Instrumentation

/// A fresh in-memory Loops module (never written) and its value probes.
let private probesFor () =
    let m = LoopsFixture.readModule (Path.Combine(LoopsFixture.output, "Loops.dll"))
    m, ValueProbes(m, SmallMethods.runtimeProbe.Value)

/// The plan's instructions as text: "conv.i8", "call ValInt", "box DateTime".
let private opsOf (plan: ValuePlan) =
    plan.AfterLoad
    |> Seq.map (fun op ->
        let i = op.Create()
        match i.Operand with
        | :? MethodReference as m -> $"{i.OpCode.Name} {m.Name}"
        | :? TypeReference as t -> $"{i.OpCode.Name} {t.Name}"
        | :? int as n -> $"{i.OpCode.Name} {n}"
        | _ -> i.OpCode.Name)
    |> List.ofSeq

// F# cannot write typeof<Span<int>>.
let private typeNamed (name: string) = nonNull (Type.GetType(name, true))
let private spanOfInt = typeNamed "System.Span`1[System.Int32]"

let private planOf (t: Type) =
    let m, probes = probesFor ()
    probes.For(m.ImportReference t)

let tests =
    testList
        "Instrumentation.ValueProbes"
        [ testList
              "read"
              [ for t, typeName, ops in
                    [ typeof<int>, "int", [ "conv.i8"; "call ValInt" ]
                      typeof<int16>, "short", [ "conv.i8"; "call ValInt" ]
                      typeof<byte>, "byte", [ "conv.u8"; "call ValInt" ]
                      typeof<uint32>, "uint", [ "conv.u8"; "call ValInt" ]
                      typeof<int64>, "long", [ "call ValInt" ]
                      typeof<uint64>, "ulong", [ "call ValUInt" ]
                      typeof<unativeint>, "nuint", [ "conv.u8"; "call ValUInt" ]
                      typeof<double>, "double", [ "call ValDouble" ]
                      typeof<float32>, "float", [ "call ValSingle" ]
                      typeof<bool>, "bool", [ "call ValBool" ]
                      typeof<char>, "char", [ "call ValChar" ]
                      typeof<string>, "string", [ "call ValString" ]
                      typeof<decimal>, "decimal", [ "call ValDecimal" ]
                      typeof<obj>, "object", [ "call ValObject" ]
                      typeof<int[]>, "int[]", [ "call ValObject" ]
                      typeof<List<int>>, "List<int>", [ "call ValObject" ]
                      typeof<DateTime>, "DateTime", [ "box DateTime"; "call ValObject" ]
                      typeof<Nullable<int>>, "Nullable<int>", [ "box Nullable`1"; "call ValObject" ]
                      typeof<int>.MakeByRefType(), "int", [ "ldobj Int32"; "conv.i8"; "call ValInt" ]
                      typeof<string>.MakeByRefType(), "string", [ "ldobj String"; "call ValString" ] ] do
                    test $"{t} reads as {typeName}" {
                        let plan = planOf t
                        Expect.equal plan.TypeName typeName "type name"
                        Expect.equal plan.Capture Capture.Read "capture"
                        Expect.equal plan.Shape Shape.Plain "shape"
                        Expect.equal (opsOf plan) ops "instructions"
                    } ]

          testList
              "fixed"
              [ for t, text in
                    [ spanOfInt, "<Span<int>>"
                      typeNamed "System.ReadOnlySpan`1[System.Char]", "<ReadOnlySpan<char>>"
                      spanOfInt.MakeByRefType(), "<Span<int>>"
                      typeof<int>.MakePointerType(), "<int*>"
                      typeNamed "System.TypedReference", "<TypedReference>" ] do
                    test $"{t} is not read" {
                        let plan = planOf t
                        Expect.equal plan.Capture (Capture.Fixed text) "capture"
                        Expect.isEmpty plan.AfterLoad "no instruction"
                    } ]

          test "an enum reads its underlying value and shows its members" {
              let plan = planOf typeof<DayOfWeek>
              Expect.equal plan.TypeName "DayOfWeek" "type name"
              Expect.equal (opsOf plan) [ "conv.i8"; "call ValInt" ] "instructions"
              let members = Enum.GetNames typeof<DayOfWeek> |> Array.map (fun n -> n, int64 (Enum.Parse<DayOfWeek> n))
              Expect.equal plan.Shape (Shape.EnumOf(members, false)) "members, not flags"
          }

          test "a [Flags] enum" {
              let plan = planOf typeof<Reflection.BindingFlags>
              Expect.equal (opsOf plan) [ "conv.i8"; "call ValInt" ] "int underlying"
              match plan.Shape with
              | EnumOf(members, isFlags) ->
                  Expect.isTrue isFlags "flags"
                  Expect.contains members ("NonPublic", 32L) "NonPublic = 32"
              | other -> failtestf "not an enum shape: %A" other
          }

          test "a ushort enum widens unsigned" {
              let plan = planOf typeof<Reflection.PortableExecutable.Characteristics>
              Expect.equal (opsOf plan) [ "conv.u8"; "call ValInt" ] "ushort underlying"
              match plan.Shape with
              | EnumOf(members, isFlags) ->
                  Expect.isTrue isFlags "flags"
                  Expect.contains members ("Dll", 0x2000L) "Dll = 0x2000"
              | other -> failtestf "not an enum shape: %A" other
          }

          test "a byte enum widens unsigned" {
              let m, probes = probesFor ()
              let access = m.GetType "Loops.Access"
              let plan = probes.For access
              Expect.equal (opsOf plan) [ "conv.u8"; "call ValInt" ] "byte underlying"
              Expect.equal plan.Shape (Shape.EnumOf([| "None", 0L; "Read", 1L; "Write", 2L |], true)) "members, flags"
          }

          test "a generic parameter is boxed" {
              let m, probes = probesFor ()
              let echo = LoopsFixture.method m "Loops.Program" "Echo"
              let plan = probes.For echo.ReturnType
              Expect.equal plan.TypeName "T" "type name"
              Expect.equal (opsOf plan) [ "box T"; "call ValObject" ] "instructions"
          }

          test "this: an object is read; a struct through its managed pointer, except in its constructor" {
              let m, probes = probesFor ()
              let add = LoopsFixture.method m "Loops.Counter" "AddTo"
              Expect.equal (opsOf (probes.ForThis add)) [ "call ValObject" ] "class"
              let dateTime = m.ImportReference(typeof<DateTime>).Resolve()
              let addDays = dateTime.Methods |> Seq.find (fun d -> d.Name = "AddDays")
              Expect.equal (opsOf (probes.ForThis addDays)) [ "ldobj DateTime"; "box DateTime"; "call ValObject" ] "struct method"
              let ctor = dateTime.Methods |> Seq.find (fun d -> d.IsConstructor && not d.IsStatic)
              Expect.equal (probes.ForThis ctor).Capture (Capture.Fixed "<DateTime>") "struct constructor"
          }

          test "an object in a method with a field policy goes to ValObjectIn with the policy's id" {
              let m, probes = probesFor ()
              let add = LoopsFixture.method m "Loops.Counter" "AddTo"
              Expect.equal (opsOf (probes.ForThis add)) [ "call ValObject" ] "no policy"
              probes.FieldPolicy <- 3
              Expect.equal (opsOf (probes.ForThis add)) [ "ldc.i4 3"; "call ValObjectIn" ] "policy 3"
              Expect.equal (opsOf (probes.For m.TypeSystem.Int32)) [ "conv.i8"; "call ValInt" ] "primitives never carry it"
          }

          test "decimal is imported against the module's own core library" {
              let m, probes = probesFor ()
              let referencesBefore = m.AssemblyReferences |> Seq.map (fun r -> r.FullName) |> Set.ofSeq
              let valDecimal = probes.Call CodeTracer.Core.Probes.ProbeTable.valDecimal
              let parameterScope = valDecimal.Parameters[0].ParameterType.Scope
              Expect.equal parameterScope.Name m.TypeSystem.CoreLibrary.Name "decimal's scope"
              Expect.equal (parameterScope :?> AssemblyNameReference).Version (m.TypeSystem.CoreLibrary :?> AssemblyNameReference).Version "same version"
              let added = (m.AssemblyReferences |> Seq.map (fun r -> r.FullName) |> Set.ofSeq) - referencesBefore
              Expect.equal (added |> Set.map (fun n -> n.Split(',')[0])) (set [ "CodeTracer.Runtime" ]) "only the runtime is added"
              Expect.equal valDecimal.DeclaringType.FullName "CodeTracer.Runtime.Probe" "declaring type"
          }

          test "a modified type (modreq, modopt) is read as the plain type" {
              let m, probes = probesFor ()
              let attribute name = TypeReference("System.Runtime.CompilerServices", name, m, m.TypeSystem.CoreLibrary)
              let volatileInt = RequiredModifierType(attribute "IsVolatile", m.TypeSystem.Int32)
              Expect.equal (opsOf (probes.For volatileInt)) [ "conv.i8"; "call ValInt" ] "volatile int"
              Expect.equal (probes.For volatileInt).TypeName "int" "its name"
              let refReadonly = RequiredModifierType(attribute "InAttribute", ByReferenceType(OptionalModifierType(attribute "IsLong", m.TypeSystem.Int64)))
              Expect.equal (opsOf (probes.For refReadonly)) [ "ldobj Int64"; "call ValInt" ] "ref readonly long, a modifier under the reference too"
          } ]
