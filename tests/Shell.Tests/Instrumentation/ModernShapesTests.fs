/// Custom modifiers in signatures, and the IL shapes of modern C# and F#
/// (tests/programs/ModernCSharp and ModernFSharp) instrumented into code that compiles.
module CodeTracer.Shell.Tests.ModernShapesTests

open System.IO
open Expecto
open Mono.Cecil
open CodeTracer.Core.Recording
open CodeTracer.Shell.Instrumentation

let private scratch = ModuleDefinition.CreateModule("Scratch", ModuleKind.Dll)

let private attribute (name: string) = TypeReference("System.Runtime.CompilerServices", name, scratch, scratch.TypeSystem.CoreLibrary)

let private modreq name (t: TypeReference) : TypeReference = RequiredModifierType(attribute name, t)

let private modopt name (t: TypeReference) : TypeReference = OptionalModifierType(attribute name, t)

let private returning (t: TypeReference) = MethodReference("M", t, scratch.TypeSystem.Object)

/// The methods of a build output with a body and a visible line: those the rewriter instruments.
let private withLines (program: string) =
    let dll = Path.Combine(JitCheck.programOutput program, program + ".dll")
    use md = ModuleDefinition.ReadModule(dll, ReaderParameters(ReadSymbols = true))
    md.GetTypes()
    |> Seq.collect (fun t -> t.Methods)
    |> Seq.filter (fun m -> m.HasBody && m.DebugInformation.SequencePoints |> Seq.exists (fun p -> not p.IsHidden))
    |> Seq.length

let private program (name: string) (expected: string list) =
    test $"every method of {name} is instrumented and compiles" {
        let dir, m = JitCheck.instrumentCopy name
        Expect.equal m.Methods.Length (withLines name) "every method with a line is instrumented"
        let names = m.Methods |> Array.map (fun x -> x.Name)
        for n in expected do
            Expect.contains names n "a method of a modern shape"
        JitCheck.compileEvery dir (name + ".dll") m
    }

let tests =
    testList
        "Instrumentation.ModernShapes"
        [ testList
              "modifiers"
              [ test "an init accessor's void modreq(IsExternalInit) is void" {
                    Expect.isTrue (Modifiers.ReturnsVoid(returning (modreq "IsExternalInit" scratch.TypeSystem.Void))) "void"
                    Expect.isTrue (Modifiers.ReturnsVoid(returning (modopt "A" (modreq "B" scratch.TypeSystem.Void)))) "nested"
                    Expect.isFalse (Modifiers.ReturnsVoid(returning (modreq "IsVolatile" scratch.TypeSystem.Int32))) "int"
                }
                test "modifiers go from the top and under references, pointers, pinned locals and arrays" {
                    let volatileInt = modreq "IsVolatile" scratch.TypeSystem.Int32
                    let stripped (t: TypeReference) = (Modifiers.Strip t).FullName
                    Expect.equal (stripped volatileInt) "System.Int32" "top"
                    Expect.equal (stripped (modreq "InAttribute" (ByReferenceType scratch.TypeSystem.Int32))) "System.Int32&" "ref readonly"
                    Expect.equal (stripped (ByReferenceType volatileInt)) "System.Int32&" "under a reference"
                    Expect.equal (stripped (PointerType volatileInt)) "System.Int32*" "under a pointer"
                    match Modifiers.Strip(PinnedType(ByReferenceType volatileInt)) with
                    | :? PinnedType as pinned -> Expect.equal pinned.ElementType.FullName "System.Int32&" "pinned"
                    | other -> failtestf "pinned: %s" other.FullName
                    Expect.equal (stripped (ArrayType(volatileInt, 2))) "System.Int32[,]" "array element, rank kept"
                    let plain = scratch.TypeSystem.String
                    Expect.isTrue (obj.ReferenceEquals(Modifiers.Strip plain, plain)) "a plain type is itself"
                } ]
          program
              "ModernCSharp"
              [ "ModernCSharp.Point.set_X(int)"; "ModernCSharp.Point.set_Label(string)"; "ModernCSharp.Person..ctor(ModernCSharp.Person)"
                "ModernCSharp.Account.Deposit(decimal)"; "ModernCSharp.Cursor.Bump(ref int)"
                "ModernCSharp.AreaMeasure.Pick(in int, in int)"; "ModernCSharp.IMeasure.Describe(in ModernCSharp.Size)"
                "ModernCSharp.Maths.Sum<T>(ReadOnlySpan<T>)"; "ModernCSharp.Money.op_CheckedAddition(ModernCSharp.Money, ModernCSharp.Money)"
                "ModernCSharp.Program.Choose(delegate*)"; "ModernCSharp.Program.Countdown(int)"; "ModernCSharp.Counter.Hit()"
                "ModernCSharp.Program.Doubled(int[])"; "ModernCSharp.Extensions.Twice(string)"; "ModernCSharp.Program.LocalFunctions.Scale(int)" ]
          program
              "ModernFSharp"
              [ "ModernFSharp.Program.area(ModernFSharp.Program.Shape)"; "ModernFSharp.Program.total()"
                "ModernFSharp.Program.|DivisibleBy|_|(int, int)"; "ModernFSharp.Program.bump(ref int)"
                "ModernFSharp.Program.Window.get_First()"; "ModernFSharp.Program.nameOf<T>(T)" ] ]
