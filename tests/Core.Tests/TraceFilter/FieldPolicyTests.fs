module CodeTracer.Core.Tests.FieldPolicyTests

open System.Text.RegularExpressions
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

/// How the runtime reads a field policy: the first matching pattern decides, else the default.
let private runtimeAction (policy: FieldPolicy) (name: string) =
    let matches matching =
        match matching with
        | FieldMatch.Regex regex -> Regex(regex, RegexOptions.NonBacktracking ||| RegexOptions.CultureInvariant).IsMatch name
        | FieldMatch.Words words -> WordPattern.parse words |> Result.exists (fun p -> WordPattern.matches p false name)
    policy.Patterns
    |> List.tryFind (fun (matching, _) -> matches matching)
    |> Option.map snd
    |> Option.defaultValue policy.Default

let tests =
    testList
        "TraceFilter.FieldPolicy"
        [ testPropertyWithConfig config "a selector's regex text matches exactly the names its matcher matches"
          <| Prop.forAll (Arb.fromGen (Gen.zip (FilterGens.selector [ ValueKind.Field ]) (Gen.listOf FilterGens.name))) (fun (selector, names) ->
              match Selector.compile selector with
              | Error _ -> ()
              | Ok matcher ->
                  let regex = Regex(Selector.regexText selector.Match selector.Pattern, RegexOptions.NonBacktracking ||| RegexOptions.CultureInvariant)
                  for name in names do
                      Expect.equal (regex.IsMatch name) (Matcher.isMatch matcher name) (sprintf "%A on %s" selector name))

          testPropertyWithConfig config "the runtime's reading of a method's field policy decides every field as the engine does"
          <| fun (g: GeneratedChain) ->
              match FilterChain.create None g.Files with
              | Error _ -> ()
              | Ok chain ->
                  for c in g.Contexts do
                      let policy = Decision.decide chain c
                      let fields = FieldPolicy.ofMethod policy
                      for _, name in g.Values do
                          let expected =
                              match fst (Decision.decideValue policy ValueKind.Field name) with
                              | ValueAction.Inherit -> ValueAction.Allow
                              | action -> action
                          Expect.equal (runtimeAction fields name) expected (sprintf "field %s in %A" name c)

          test "builtin-default redacts secret-looking fields; the encoding is one line a policy" {
              let chain =
                  match FilterChain.create None [ Builtins.get BuiltinFilter.Default ] with
                  | Ok c -> c
                  | Error es -> failtestf "%A" es
              let context = { AssemblyName = "App"; Namespace = "App"; QualifiedMethod = "App.Program.Main"; RelativeFile = None }
              let fields = FieldPolicy.ofMethod (Decision.decide chain context)
              Expect.equal (runtimeAction fields "ApiKey") ValueAction.Redact "an API key"
              Expect.equal (runtimeAction fields "<Password>k__BackingField") ValueAction.Redact "a backing field"
              Expect.equal (runtimeAction fields "Name") ValueAction.Allow "a name"
              Expect.equal (FieldPolicy.ofMethod { Decision.decide chain context with Patterns = None }) FieldPolicy.allowAll "nothing to look at"
              let encoded =
                  FieldPolicy.encode
                      [ fields
                        { Default = ValueAction.Drop
                          Patterns = [ FieldMatch.Regex "\\Aa\tb\\z", ValueAction.Allow; FieldMatch.Words "pin\tcode", ValueAction.Redact ] } ]
              let lines = encoded.Split '\n'
              Expect.equal lines.Length 2 "two policies"
              Expect.stringStarts lines.[0] "a\trwpassword|" "allow by default, then the redacting words pattern"
              Expect.equal lines.[1] "d\tax\\Aa\\tb\\z\trwpin code" "a tab inside a regex is written as its escape, inside words as a space"
          } ]
