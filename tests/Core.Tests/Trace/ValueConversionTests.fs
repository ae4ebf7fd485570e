module CodeTracer.Core.Tests.ValueConversionTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording
open CodeTracer.Core.Trace

/// Converts a raw value shown as `object` and returns it with the type table (id → Type event) it registered.
let private convertAlone (raw: RawValue) : ValueRecord * (int * string * TypeSpecificInfo) array =
    let anyId, reg, evs0 = ValueConversion.register ValueConversion.AnyKind "object" ValueConversion.initialRegistry
    let v, _, evs = ValueConversion.convert "object" anyId Plain raw reg
    let types =
        [| yield TypeKind.None, "None", NoInfo
           for e in evs0 @ evs do
               match e with
               | TraceEvent.Type(k, n, info) -> yield k, n, info
               | _ -> () |]
    v, types

/// Every Struct value's type is a Struct type with as many fields as values, whose field types exist.
let rec private structsAgree (types: (int * string * TypeSpecificInfo) array) (v: ValueRecord) : string list =
    match v with
    | Struct(fs, t) ->
        let own =
            match Array.tryItem t types with
            | Some(kind, name, StructInfo fields) when kind = TypeKind.Struct ->
                [ if fields.Length <> fs.Length then sprintf "%s declares %d fields for %d values" name fields.Length fs.Length
                  for n, ft in fields do
                      if ft < 0 || ft >= types.Length then sprintf "field %s of %s has undefined type %d" n name ft ]
            | other -> [ sprintf "Struct value of type %d: %A" t other ]
        own @ List.collect (structsAgree types) fs
    | Sequence(es, _, _)
    | Tuple(es, _) -> List.collect (structsAgree types) es
    | Variant(_, c, _) -> structsAgree types c
    | _ -> []

let private kindOf (types: (int * string * TypeSpecificInfo) array) (v: ValueRecord) =
    let k, n, _ = types.[ValueConversion.typeIdOf v]
    k, n

let private exampleTests =
    testList
        "examples"
        [ test "a struct: its fields by name, each with its value's type" {
              let v, types = convertAlone (RStruct("Demo.Point", [ "X", RBoxed("System.Int32", RInt 3L); "Y", RNull ]))
              match v with
              | Struct([ Int(3L, xt); NoneValue yt ], t) ->
                  Expect.equal types.[t] (TypeKind.Struct, "Demo.Point", StructInfo [ "X", xt; "Y", yt ]) "the Struct type"
                  Expect.equal (types.[xt] |> fun (k, n, _) -> k, n) (TypeKind.Int, "int") "X's type"
                  Expect.equal (types.[yt] |> fun (k, n, _) -> k, n) (ValueConversion.AnyKind, "object") "a null field has the object type"
              | other -> failtestf "%A" other
          }
          test "a struct type is registered once per field set" {
              let raw = RStruct("Demo.P", [ "A", RNull ])
              let v, types = convertAlone (RTuple("System.ValueTuple`2[[Demo.P, x],[Demo.P, x]]", [ raw; raw ]))
              Expect.equal (types |> Array.filter (fun (k, _, _) -> k = TypeKind.Struct) |> Array.length) 1 "one Struct type"
              Expect.equal (kindOf types v) (TypeKind.Tuple, "(Demo.P, Demo.P)") "a ValueTuple is shown as (A, B)"
          }
          test "BigInt: Int when it fits, else BigInt" {
              let small, _ = convertAlone (RBigInt("System.Numerics.BigInteger", true, Convert.ToBase64String [| 0uy; 12uy |]))
              let minimum, _ = convertAlone (RBigInt("System.Int128", true, Convert.ToBase64String [| 0x80uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |]))
              let big = Convert.ToBase64String [| 1uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy; 0uy |]
              let large, types = convertAlone (RBigInt("System.Numerics.BigInteger", false, big))
              Expect.equal (match small with Int(i, _) -> Some i | _ -> None) (Some -12L) "-12"
              Expect.equal (match minimum with Int(i, _) -> Some i | _ -> None) (Some Int64.MinValue) "Int64.MinValue"
              match large with
              | BigInt(b, false, t) ->
                  Expect.equal b big "magnitude"
                  Expect.equal (kindOf types large) (TypeKind.Int, "BigInteger") "type"
              | other -> failtestf "%A" other
          }
          test "a HashSet has a Set type; a Dictionary's entries are tuples" {
              let set, types = convertAlone (RSequence("System.Collections.Generic.HashSet`1[[System.Int32, x]]", 1, [ RInt 2L ]))
              Expect.equal (kindOf types set) (TypeKind.Set, "HashSet<int>") "set"
              let name = "System.Collections.Generic.Dictionary`2[[System.String, x],[System.Int32, x]]"
              let entry = RTuple("System.ValueTuple`2[[System.String, x],[System.Int32, x]]", [ RString("a", 1); RBoxed("System.Int32", RInt 1L) ])
              match convertAlone (RSequence(name, 1, [ entry ])) with
              | Sequence([ Tuple([ String("a", _); Int(1L, _) ], _) as e ], false, _), types ->
                  Expect.equal (kindOf types e) (TypeKind.Tuple, "(string, int)") "entry type"
              | other -> failtestf "%A" other
          }
          test "sets by their type's name; a sequence type with two type arguments holds (key, value) tuples" {
              let set, types = convertAlone (RSequence("System.Collections.Immutable.ImmutableHashSet`1[[System.Int32, x]]", 1, [ RInt 2L ]))
              Expect.equal (kindOf types set) (TypeKind.Set, "ImmutableHashSet<int>") "set"
              Expect.equal (ValueConversion.elementTypeOf "SortedList<string, Dictionary<int, string>>") "(string, Dictionary<int, string>)" "a map's entries"
              Expect.equal (ValueConversion.elementTypeOf "LinkedList<(int, string)>") "(int, string)" "one argument, itself a tuple"
              Expect.equal (ValueConversion.elementTypeOf "ConcurrentQueue<Dictionary<int, string>>") "Dictionary<int, string>" "one generic argument"
          }
          test "an F# union case is a Variant of its case name" {
              match convertAlone (RVariant("Demo.Shape", "Circle", [ RDouble 1.5 ])) with
              | Variant("Circle", Float("1.5", _), _), _ -> ()
              | other -> failtestf "%A" other
              match convertAlone (RVariant("Demo.Shape", "Empty", [])) with
              | Variant("Empty", NoneValue 0, _), _ -> ()
              | other -> failtestf "%A" other
          }
          test "cycle and depth markers are Raw with their text" {
              match convertAlone (RRawText("Demo.Node", "<cycle>")) with
              | Raw("<cycle>", t), types -> Expect.equal (kindOf types (Raw("", t))) (TypeKind.Raw, "Demo.Node") "type"
              | other -> failtestf "%A" other
          } ]

let private reflectionNames =
    [ "System.Int32"; "Demo.Outer+Inner"; "System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]]" ]

/// Struct types by display name and field names, from small sets so that they repeat.
let private structKey : Gen<string * string list> =
    Gen.zip (Gen.elements [ "A"; "B" ]) (Gen.elements [ []; [ "X" ]; [ "X"; "Y" ]; [ "Y"; "X" ]; [ "X"; "Y"; "Z" ] ])

let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig Generators.config "struct values have as many fields as their Struct type declares"
          <| Prop.forAll (Arb.fromGen Gens.rawValue) (fun raw ->
              let v, types = convertAlone raw
              Expect.equal (structsAgree types v) [] "struct types")
          testPropertyWithConfig Generators.config "displayName is TypeNames.ofReflectionName, parsed once per registry"
          <| Prop.forAll (Arb.fromGen (Gen.oneof [ Gens.text; Gen.elements reflectionNames ])) (fun name ->
              let shown, reg = ValueConversion.displayName name ValueConversion.initialRegistry
              let again, reg2 = ValueConversion.displayName name reg
              Expect.equal shown (TypeNames.ofReflectionName name) "display name"
              Expect.equal again shown "the same name again"
              Expect.isTrue (obj.ReferenceEquals(reg, reg2)) "a known name leaves the registry as it is")
          testPropertyWithConfig Generators.config "a Struct type is registered once per name and field names"
          <| Prop.forAll (Arb.fromGen (Gen.listOf structKey)) (fun keys ->
              let register (reg, ids) (name, fields) =
                  let id, reg', _ = ValueConversion.registerStruct name (fields |> List.map (fun f -> f, 0)) reg
                  reg', ((name, fields), id) :: ids
              let _, ids = keys |> List.fold register (ValueConversion.initialRegistry, [])
              for k1, i1 in ids do
                  for k2, i2 in ids do
                      Expect.equal (i1 = i2) (k1 = k2) (sprintf "%A and %A" k1 k2)) ]

let tests = testList "Trace.ValueConversion" [ exampleTests; propertyTests ]
