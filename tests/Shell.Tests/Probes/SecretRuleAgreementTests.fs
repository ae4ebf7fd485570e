/// The runtime may depend on nothing, so it mirrors Core's word rule (`NameWords`,
/// `WordPattern`) and text types (`TextTypes`) by hand: these tests keep the copies equal
/// on generated names, patterns and types.
module CodeTracer.Shell.Tests.SecretRuleAgreementTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = { FsCheckConfig.defaultConfig with maxTest = 2000 }

/// Pieces names are made of: secret words and their neighbours in every case, separators,
/// digits, compiler wrappings, and letters whose case rules are odd (Turkish I, the Kelvin
/// sign, sharp s, uncased CJK, a surrogate pair).
let private pieces =
    [ "password"; "Password"; "PASSWORD"; "pwd"; "api"; "Api"; "API"; "key"; "Key"; "KEY"; "token"; "Token"; "tokens"; "pan"; "Pan"
      "PAN"; "connection"; "String"; "session"; "Id"; "ID"; "card"; "Number"; "span"; "Jaccard"; "x"; "X"; "2"; "42"; "_"; "-"; "m_"
      "s_"; "<"; ">"; "k__BackingField"; "@"; "@3"; " "; "."; "İ"; "ı"; "\u212A"; "ß"; "Σ"; "中"; "\U0001F600"; "ǅ" ]

let private nameGen =
    Gen.listOf (Gen.elements pieces) |> Gen.map (List.truncate 40 >> String.concat "")

let private alternativeGen =
    gen {
        let! words = Gen.nonEmptyListOf (Gen.elements [ "password"; "api key"; "token"; "pan"; "x"; "session id"; "2"; "card" ]) |> Gen.map (List.truncate 2)
        let! whole = Gen.elements [ ""; "=" ]
        let! last = Gen.elements [ ""; "$" ]
        let! text = Gen.elements [ ""; " (text)" ]
        return whole + String.Join(" ", words) + last + text
    }

let private patternGen = Gen.nonEmptyListOf alternativeGen |> Gen.map (List.truncate 4 >> String.concat "|")

let private runtimeWords (name: string) =
    [ for struct (start, length) in CodeTracer.Runtime.WordPattern.Words(name) ->
          String(Array.init length (fun k -> Char.ToLowerInvariant name.[start + k])) ]

/// Types built from a small pool: text, not text, arrays and collections of both.
let rec private typeGen (size: int) : Gen<Type> =
    let leaves = Gen.elements [ typeof<string>; typeof<char>; typeof<byte>; typeof<int>; typeof<obj>; typeof<Uri> ]
    if size <= 0 then leaves
    else
        let inner = typeGen (size / 2)
        Gen.oneof
            [ leaves
              inner |> Gen.map (fun t -> t.MakeArrayType())
              inner |> Gen.map (fun t -> t.MakeArrayType 2)
              inner |> Gen.map (fun t -> typedefof<List<_>>.MakeGenericType t)
              inner |> Gen.map (fun t -> typedefof<HashSet<_>>.MakeGenericType t)
              inner |> Gen.map (fun t -> typedefof<Threading.Tasks.Task<_>>.MakeGenericType t)
              inner |> Gen.map (fun t -> typedefof<Lazy<_>>.MakeGenericType t)
              inner |> Gen.map (fun t -> typedefof<list<_>>.MakeGenericType t)
              Gen.zip inner inner |> Gen.map (fun (k, v) -> typedefof<Dictionary<_, _>>.MakeGenericType(k, v))
              Gen.zip inner inner |> Gen.map (fun (k, v) -> typedefof<Dictionary<_, _>.KeyCollection>.MakeGenericType(k, v)) ]

/// The shape the instrumenter would build for the type (`ValueSubjects.ShapeOf` on Cecil's view of it).
let rec private shapeOf (t: Type) : TypeShape =
    if t.IsArray then ArrayOf(shapeOf (t.GetElementType()))
    elif t.IsGenericType then Named(t.GetGenericTypeDefinition().FullName, t.GetGenericArguments() |> Seq.map shapeOf |> List.ofSeq)
    else Named(t.FullName, [])

let tests =
    testList "Secret rule agreement" [
        testPropertyWithConfig config "the runtime splits every name into Core's words"
        <| Prop.forAll (Arb.fromGen nameGen) (fun name ->
            Expect.equal (runtimeWords name) (NameWords.split name) name)

        testPropertyWithConfig config "the runtime judges every name as Core does under the built-in secret rule"
        <| Prop.forAll (Arb.fromGen (Gen.zip nameGen (Gen.elements [ true; false ]))) (fun (name, isText) ->
            let core =
                match WordPattern.parse Builtins.SecretWords with
                | Ok p -> WordPattern.matches p isText name
                | Error e -> failtestf "%s" e
            Expect.equal (CodeTracer.Runtime.WordPattern.Parse(Builtins.SecretWords).Matches(name, isText)) core name)

        testPropertyWithConfig config "the runtime reads every words pattern Core accepts as Core does"
        <| Prop.forAll (Arb.fromGen (Gen.zip3 patternGen nameGen (Gen.elements [ true; false ]))) (fun (pattern, name, isText) ->
            match WordPattern.parse pattern with
            | Error _ -> ()
            | Ok p ->
                Expect.equal
                    (CodeTracer.Runtime.WordPattern.Parse(pattern).Matches(name, isText))
                    (WordPattern.matches p isText name)
                    (sprintf "%s on %s" pattern name))

        testPropertyWithConfig config "the runtime tells text types as Core does"
        <| Prop.forAll (Arb.fromGen (Gen.sized (fun s -> typeGen (min s 8)))) (fun t ->
            Expect.equal (CodeTracer.Runtime.TextTypes.IsText t) (TextTypes.isText (shapeOf t)) (string t))
    ]
