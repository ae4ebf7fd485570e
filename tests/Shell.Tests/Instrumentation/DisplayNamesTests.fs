module CodeTracer.Shell.Tests.DisplayNamesTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Mono.Cecil
open CodeTracer.Shell.Instrumentation

let private scratch = ModuleDefinition.CreateModule("Scratch", ModuleKind.Dll)

let private nameOf (t: Type) = DisplayNames.OfType(scratch.ImportReference t)

let private methodOf (t: Type) (name: string) (parameterCount: int) =
    let definition = scratch.ImportReference(t).Resolve()
    definition.Methods |> Seq.find (fun m -> m.Name = name && m.Parameters.Count = parameterCount) |> DisplayNames.OfMethod

let private elements =
    [ typeof<int>, "int"; typeof<string>, "string"; typeof<decimal>, "decimal"; typeof<obj>, "object"
      typeof<Uri>, "Uri"; typeof<List<bool>>, "List<bool>"; typeof<Mono.Cecil.TypeReference>, "Mono.Cecil.TypeReference" ]

let tests =
    testList
        "Instrumentation.DisplayNames"
        [ testList
              "types"
              [ for t, expected in
                    [ typeof<int>, "int"
                      typeof<uint16>, "ushort"
                      typeof<nativeint>, "nint"
                      typeof<string[]>, "string[]"
                      typeof<int[,]>, "int[,]"
                      typeof<int[][]>, "int[][]"
                      typeof<List<int>>, "List<int>"
                      typeof<Dictionary<string, List<int>>>, "Dictionary<string, List<int>>"
                      typeof<Dictionary<string, int>.Enumerator>, "Dictionary<string, int>.Enumerator"
                      typeof<Environment.SpecialFolder>, "Environment.SpecialFolder"
                      typeof<Nullable<int>>, "Nullable<int>"
                      typeof<Mono.Collections.Generic.Collection<int>.Enumerator>, "Mono.Collections.Generic.Collection<int>.Enumerator"
                      typeof<int>.MakeByRefType(), "ref int"
                      typeof<int>.MakePointerType(), "int*" ] do
                    test expected { Expect.equal (nameOf t) expected (string t) } ]

          testList
              "methods"
              [ test "generic type parameters and an out parameter" {
                    Expect.equal
                        (methodOf typedefof<Dictionary<_, _>> "TryGetValue" 2)
                        "Dictionary<TKey, TValue>.TryGetValue(TKey, out TValue)"
                        "TryGetValue"
                }
                test "a constructor" {
                    Expect.equal (methodOf typeof<Uri> ".ctor" 1) "Uri..ctor(string)" "Uri(string)"
                }
                test "a generic method with no parameter" {
                    Expect.equal (methodOf typeof<Array> "Empty" 0) "Array.Empty<T>()" "Array.Empty"
                }
                test "a generic method with a ref parameter" {
                    let exchange =
                        scratch.ImportReference(typeof<Threading.Interlocked>).Resolve().Methods
                        |> Seq.find (fun m -> m.Name = "Exchange" && m.HasGenericParameters)
                    Expect.equal (DisplayNames.OfMethod exchange) "Interlocked.Exchange<T>(ref T, T)" "Interlocked.Exchange<T>"
                } ]

          testPropertyWithConfig
              { FsCheckConfig.defaultConfig with maxTest = 200 }
              "arrays: the element's name, then one [] per level with rank - 1 commas"
          <| Prop.forAll
              (Arb.fromGen (Gen.zip (Gen.elements elements) (Gen.listOf (Gen.choose (1, 4)) |> Gen.map (List.truncate 4))))
              (fun ((element, elementName), ranks) ->
                  let t = ranks |> List.fold (fun (t: Type) rank -> if rank = 1 then t.MakeArrayType() else t.MakeArrayType rank) element
                  // C# writes the outermost array's brackets first: int[][,] is an array of int[,].
                  let suffix = ranks |> List.rev |> List.map (fun r -> "[" + String(',', r - 1) + "]") |> String.concat ""
                  Expect.equal (nameOf t) (elementName + suffix) (string t)) ]
