/// builtin-default's secret rule (trace-filter.md, "Built-in filters"): names judged by
/// their words, never by substrings; `words` patterns; which types are text.
module CodeTracer.Core.Tests.SecretWordsTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

let private secretPattern =
    match WordPattern.parse Builtins.SecretWords with
    | Ok p -> p
    | Error e -> failwithf "the built-in pattern does not parse: %s" e

let private isSecret (isText: bool) (name: string) = WordPattern.matches secretPattern isText name

/// The spec's single secret words: the pairs, `pan` and `token(s)` are judged otherwise.
let secretWords =
    [ "password"; "passwd"; "pwd"; "passphrase"; "secret"; "credential"; "credentials"; "creds"; "bearer"; "jwt"; "cookie"
      "ssn"; "iban"; "cvv"; "cvc"; "otp" ]

/// The spec's word pairs.
let secretPairs =
    [ "api", "key"; "private", "key"; "secret", "key"; "ssh", "key"; "access", "key"; "account", "key"; "signing", "key"
      "encryption", "key"; "master", "key"; "client", "key"; "session", "id"; "client", "secret"; "connection", "string"
      "card", "number"; "credit", "card" ]

/// Names of ordinary code that the substring rule hid: they stay visible, text or not.
let ordinaryNames =
    [ "span"; "spans"; "Jaccard"; "MinimumSpanningTree"; "ProcessNeighbors"; "PancakeSorter"; "panel"; "expand"; "company"
      "Spanish"; "passage"; "compass"; "bypass"; "passenger"; "author"; "authority"; "session"; "cardinality"; "keyboard"
      "monkey"; "secretary"; "tokenizer"; "tokenCount"; "tokenize"; "cookies"; "passwords"; "isCredible"; "discard"
      "lessonId"; "Panama"; "japan"; "count"; "total"; "this"; "value"; "apiVersion"; "primaryKey"; "keyString"; "stringKey" ]

/// Lowercase words of 2 to 8 ASCII letters.
let private wordGen =
    gen {
        let! n = Gen.choose (2, 8)
        let! chars = Gen.arrayOfLength n (Gen.elements [ 'a' .. 'z' ])
        return String chars
    }

let private capital (w: string) = string (Char.ToUpperInvariant w.[0]) + w.Substring 1

/// The same words written in the usual conventions.
let private spellings (words: string list) =
    [ String.Join("", words |> List.mapi (fun i w -> if i = 0 then w else capital w))
      String.Join("", words |> List.map capital)
      String.Join("_", words)
      String.Join("_", words |> List.map (fun w -> w.ToUpperInvariant()))
      String.Join("-", words)
      "_" + String.Join("", words |> List.mapi (fun i w -> if i = 0 then w else capital w))
      "m_" + String.Join("_", words)
      "<" + String.Join("", words |> List.map capital) + ">k__BackingField"
      String.Join("", words |> List.mapi (fun i w -> if i = 0 then w else capital w)) + "@" ]

let tests =
    testList
        "TraceFilter.SecretWords"
        [ test "the spec's examples" {
              for name in [ "userPassword"; "Password"; "ApiKey"; "APIKey"; "api_key"; "connectionString"; "ConnectionString"; "sessionId"
                            "cardNumber"; "IBAN"; "pwd2"; "<Password>k__BackingField"; "password@"; "m_secret"; "s_apiKey"; "pan"; "PAN"
                            "_pan"; "password" ] do
                  Expect.isTrue (isSecret false name) name
              for name in [ "accessToken"; "ApiToken"; "refresh_token"; "_accessToken"; "tokens"; "Token"; "GetToken" ] do
                  Expect.isTrue (isSecret true name) (name + " of a text type")
              for name in [ "tokens"; "Token"; "currentToken"; "accessToken" ] do
                  Expect.isFalse (isSecret false name) (name + " of a type that is not text (a lexer's Token)")
          }

          test "ordinary names stay visible, whatever their type" {
              for name in ordinaryNames do
                  Expect.isFalse (isSecret false name) name
                  if not (name.EndsWith("tokens", StringComparison.OrdinalIgnoreCase) || name.EndsWith("token", StringComparison.OrdinalIgnoreCase)) then
                      Expect.isFalse (isSecret true name) (name + " (text)")
          }

          test "splitting: case changes, digits, acronyms, separators, compiler wrappings" {
              Expect.equal (NameWords.split "APIKey") [ "api"; "key" ] "an acronym ends before its last capital"
              Expect.equal (NameWords.split "parseHTTPResponse2xx") [ "parse"; "http"; "response"; "2"; "xx" ] "digits are words"
              Expect.equal (NameWords.split "MinimumSpanningTree") [ "minimum"; "spanning"; "tree" ] "PascalCase"
              Expect.equal (NameWords.split "refresh-token__v2") [ "refresh"; "token"; "v"; "2" ] "separators"
              Expect.equal (NameWords.split "<Password>k__BackingField") [ "password" ] "backing field"
              Expect.equal (NameWords.split "<apiKey>5__3") [ "api"; "key" ] "hoisted local"
              Expect.equal (NameWords.split "<Name>i__Field") [ "name" ] "anonymous type field"
              Expect.equal (NameWords.split "password@12") [ "password" ] "an F# closure copy"
              Expect.equal (NameWords.split "m_pan") [ "pan" ] "m_"
              Expect.equal (NameWords.split "<>4__this") [ "4"; "this" ] "a wrapping without a name is left alone"
              Expect.equal (NameWords.split "") [] "nothing"
          }

          testPropertyWithConfig config "the words do not depend on case or separators"
          <| Prop.forAll (Arb.fromGen (Gen.nonEmptyListOf wordGen |> Gen.map (List.truncate 5))) (fun words ->
              for name in spellings words do
                  Expect.equal (NameWords.split name) words name
                  Expect.equal (isSecret false name) (isSecret false (String.Join(" ", words))) name)

          testPropertyWithConfig config "a secret word inside another word never matches"
          <| Prop.forAll
              (Arb.fromGen (Gen.zip3 (Gen.elements (secretWords @ [ "pan"; "token"; "tokens" ])) (Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.elements [ 'a' .. 'z' ]))) (Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.elements [ 'a' .. 'z' ])))))
              (fun (secret, before, after) ->
                  let word = String before + secret + String after
                  // The whole word may itself be one of the list (`pwd` + `s`... is not, `cred` + `s` is `creds`).
                  if before.Length + after.Length > 0 && not (List.contains word (secretWords @ [ "pan"; "token"; "tokens" ])) then
                      Expect.isFalse (isSecret true word) word
                      Expect.isFalse (isSecret true (capital word)) word)

          testPropertyWithConfig config "a secret word or pair among ordinary words is found in every spelling"
          <| Prop.forAll
              (Arb.fromGen (
                  Gen.zip3
                      (Gen.listOf wordGen |> Gen.map (List.truncate 3))
                      (Gen.oneof [ Gen.elements secretWords |> Gen.map List.singleton; Gen.elements secretPairs |> Gen.map (fun (a, b) -> [ a; b ]) ])
                      (Gen.listOf wordGen |> Gen.map (List.truncate 3))
              ))
              (fun (before, secret, after) ->
                  for name in spellings (before @ secret @ after) do
                      Expect.isTrue (isSecret false name) name)

          test "pan: only the whole name; token(s): only the last word of a text value" {
              for name in [ "pan"; "Pan"; "_pan"; "PAN" ] do
                  Expect.isTrue (isSecret false name) name
              for name in [ "panNumber"; "cardPanel"; "pans" ] do
                  Expect.isFalse (isSecret true name) name
              Expect.isFalse (isSecret true "tokenValue") "token not last"
              Expect.isTrue (isSecret true "sessionToken") "token last"
              Expect.isTrue (isSecret true "refreshTokens") "tokens last"
          }

          test "words patterns: markers, errors" {
              let parsed text =
                  match WordPattern.parse text with
                  | Ok p -> p
                  | Error e -> failtestf "%s: %s" text e
              Expect.equal (parsed "customer id").Alternatives.[0].Words [| "customer"; "id" |] "two words"
              Expect.equal (parsed "customerId").Alternatives.[0].Words [| "customer"; "id" |] "written as a name"
              let a = (parsed "=pin code$ (text)").Alternatives.[0]
              Expect.equal (a.Whole, a.Last, a.TextOnly) (true, true, true) "every marker"
              Expect.isTrue (WordPattern.matches (parsed "customer id") false "oldCustomerIdValue") "anywhere"
              Expect.isFalse (WordPattern.matches (parsed "customer id") false "customerIdentity") "never a substring"
              Expect.isFalse (WordPattern.matches (parsed "id$") false "idCard") "last"
              for bad in [ ""; "a||b"; "="; "$"; "(text)"; "a=b"; "a (text) b" ] do
                  Expect.isError (WordPattern.parse bad) bad
          }

          test "a words selector in a filter file: loaded, matched, printed" {
              let file =
                  FilterLoader.load
                      "w.toml"
                      "[meta]\nname = \"w\"\nversion = 1\n[scope]\ndefault_exec = \"trace\"\ndefault_value_action = \"allow\"\n[[scope.rules]]\nselector = \"asm:**\"\n[[scope.rules.value_patterns]]\nselector = \"local:words:customer id|=pin\"\naction = \"drop\"\n"
              let chain =
                  match file |> Result.bind (fun f -> FilterChain.create None [ f ]) with
                  | Ok c -> c
                  | Error e -> failtestf "%A" e
              let policy = Decision.decide chain { AssemblyName = "A"; Namespace = "A"; QualifiedMethod = "A.B.C"; RelativeFile = None }
              Expect.equal (Decision.decideValue policy ValueKind.Local "CUSTOMER_ID" |> fst) ValueAction.Drop "matched by words"
              Expect.equal (Decision.decideValue policy ValueKind.Local "pinned" |> fst) ValueAction.Allow "=pin is the whole name"
              Expect.equal
                  (Decision.effectivePatterns policy |> List.map (fun (p, _) -> Selector.valueToConfigString p.Selector))
                  [ "local:words:customer id|=pin" ]
                  "printed as written"
              Expect.equal
                  (Selector.parseValue "local:words:a||b" |> Result.mapError SelectorError.describe)
                  (Error "bad words pattern \"a||b\": alternative \"\" has no word (expected words separated by spaces, e.g. \"api key\")")
                  "a located error names the alternative"
          }

          test "a setter's value by its property, a return value by its method's own name" {
              let chain =
                  match FilterChain.create None [ Builtins.get BuiltinFilter.Default ] with
                  | Ok c -> c
                  | Error e -> failtestf "%A" e
              let policy = Decision.decide chain { AssemblyName = "A"; Namespace = "Graphs"; QualifiedMethod = "Graphs.MinimumSpanningTree.Solve"; RelativeFile = None }
              let decide kind subject = Decision.decideSubject policy kind subject |> fst
              Expect.equal (decide ValueKind.Arg { Name = "value"; Judged = "Password"; IsText = true }) ValueAction.Redact "set_Password(value)"
              Expect.equal (decide ValueKind.Arg { Name = "value"; Judged = "Name"; IsText = true }) ValueAction.Allow "set_Name(value)"
              Expect.equal (decide ValueKind.Ret { Name = "Graphs.MinimumSpanningTree.Solve"; Judged = "Solve"; IsText = false }) ValueAction.Allow "not by type or namespace"
              Expect.equal (decide ValueKind.Ret { Name = "Auth.Vault.GetPassword"; Judged = "GetPassword"; IsText = true }) ValueAction.Redact "GetPassword"
              Expect.equal (decide ValueKind.Ret { Name = "Lex.Lexer.NextToken"; Judged = "NextToken"; IsText = false }) ValueAction.Allow "a lexer's Token"
          }

          test "text types" {
              let named n args = Named(n, args)
              let str = named "System.String" []
              Expect.isTrue (TextTypes.isText str) "string"
              Expect.isTrue (TextTypes.isText (ArrayOf(named "System.Char" []))) "char[]"
              Expect.isTrue (TextTypes.isText (ArrayOf(named "System.Byte" []))) "byte[]"
              Expect.isTrue (TextTypes.isText (ArrayOf str)) "string[]"
              Expect.isTrue (TextTypes.isText (named "System.Collections.Generic.List`1" [ str ])) "List<string>"
              Expect.isTrue (TextTypes.isText (named "Microsoft.FSharp.Collections.FSharpList`1" [ ArrayOf(named "System.Byte" []) ])) "byte[] list"
              Expect.isFalse (TextTypes.isText (named "System.Collections.Generic.List`1" [ named "Lex.Token" [] ])) "List<Token>"
              Expect.isFalse (TextTypes.isText (named "Lex.Token" [])) "Token"
              Expect.isFalse (TextTypes.isText (named "System.Threading.Tasks.Task`1" [ str ])) "Task<string> is no collection"
              Expect.isFalse (TextTypes.isText (ArrayOf(named "System.Int32" []))) "int[]"
              Expect.isFalse (TextTypes.isText (named "System.Object" [])) "object"
          } ]
