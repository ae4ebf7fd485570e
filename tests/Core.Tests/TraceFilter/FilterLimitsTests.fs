module CodeTracer.Core.Tests.FilterLimitsTests

open System.Text
open System.Text.RegularExpressions
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

/// A filter with one rule whose only value pattern is `selector`.
let private withPattern (selector: string) =
    sprintf
        "[meta]\nname = \"limits\"\nversion = 1\n\n[scope]\ndefault_exec = \"trace\"\ndefault_value_action = \"allow\"\n\n[[scope.rules]]\nselector = \"pkg:*\"\n[[scope.rules.value_patterns]]\nselector = '%s'\naction = \"redact\"\n"
        selector

/// Whether the runtime inside the program can build this pattern's regex, as it does
/// (`Runtime/FieldPolicies.cs`: `new Regex(text, NonBacktracking | CultureInvariant)`).
let private runtimeBuilds (matchType: MatchType) (pattern: string) =
    try
        Regex(Selector.regexText matchType pattern, RegexOptions.NonBacktracking ||| RegexOptions.CultureInvariant) |> ignore
        true
    with _ ->
        false

/// Globs from a few pieces, short and long: the long ones cross the engine's node limit.
let private glob : Gen<string> =
    let piece = Gen.elements [ "a"; "*"; "?"; "**"; "Secret"; "_" ]
    Gen.sized (fun size -> Gen.choose (1, 20 + size * 40) |> Gen.bind (fun n -> Gen.listOfLength n piece |> Gen.map (String.concat "")))

/// The non-backtracking regex of a whole-name pattern, built at once as the engine does, or None.
let private engineBuilds (pattern: string) =
    try
        Some(Regex(@"\A(?:" + pattern + @")\z", RegexOptions.NonBacktracking ||| RegexOptions.CultureInvariant))
    with _ ->
        None

/// Regexes from pieces the engine refuses or counts large (lookarounds, atomic groups,
/// backreferences, `\G`, counted and nested `+` repetitions, long runs) and ordinary ones.
let private regexPattern : Gen<string> =
    let piece =
        Gen.elements
            [ "a"; "b."; "[0-9]"; "\\."; "\\d"; "+"; "*"; "?"; "|"; "("; ")"; "(a+)+"; "(?:a|b)+"; "(?=a)"; "(?!b)"; "(?<=a)"
              "(?>a)"; "(a)\\1"; "(?<n>a)\\k<n>"; "\\G"; "{3}"; "{2,40}"; "(?i)"; "\\\\1"; "\\+"; "aaaaaaaaaaaaaaaaaaaa"; "(bc+)+"
              "\\p{L}" ]
    Gen.sized (fun size -> Gen.choose (1, 5 + size * 8) |> Gen.bind (fun n -> Gen.listOfLength n piece |> Gen.map (String.concat "")))

let private parses (pattern: string) =
    try
        Regex(pattern) |> ignore
        true
    with _ ->
        false

let private name : Gen<string> = Gen.elements [ ""; "a"; "ab"; "aab"; "b."; "a1"; "bcc"; "aaaaaaaaaaaaaaaaaaaa"; "Shop.Cart" ]

let tests =
    testList
        "TraceFilter.Limits"
        [ testPropertyWithConfig { FsCheckConfig.defaultConfig with maxTest = 300; endSize = 100 } "a regex pattern loads exactly when the engine builds it, whether checked cheaply or built"
          <| Prop.forAll (Arb.fromGen regexPattern) (fun pattern ->
              let scope = Selector.parseScope ("obj:regex:" + pattern)
              Expect.equal (Result.isOk scope) (parses pattern && (engineBuilds pattern).IsSome) pattern
              if parses pattern && NonBacktracking.isCertain pattern then
                  Expect.isSome (engineBuilds pattern) ("a pattern checked cheaply builds: " + pattern))

          test "nested repetitions and long runs near the engine's size limit load exactly when it builds them" {
              let nested k body = String.replicate k "(" + body + String.replicate k ")+"
              let cases =
                  [ for k in 0..12 do
                        for body in [ "a"; "ab+"; String.replicate 100 "x"; String.replicate 1990 "y" ] -> nested k body ]
              for pattern in cases do
                  let built = (engineBuilds pattern).IsSome
                  Expect.equal (Result.isOk (Selector.parseScope ("obj:regex:" + pattern))) built pattern
                  if NonBacktracking.isCertain pattern then Expect.isTrue built ("checked cheaply, so it builds: " + pattern)
              Expect.isFalse (engineBuilds (nested 12 "a")).IsSome "the cases reach the engine's limit"
          }

          testPropertyWithConfig { FsCheckConfig.defaultConfig with maxTest = 200; endSize = 60 } "a regex built when first matched matches as the regex built at load"
          <| Prop.forAll (Arb.fromGen (Gen.zip regexPattern (Gen.listOf name))) (fun (pattern, names) ->
              match Selector.parseScope ("obj:regex:" + pattern), engineBuilds pattern with
              | Ok selector, Some regex ->
                  let matcher = Selector.compile selector |> Result.defaultWith (fun e -> failtestf "%A" e)
                  for n in names do
                      Expect.equal (Matcher.isMatch matcher n) (regex.IsMatch n) (sprintf "%s on %s" pattern n)
              | _ -> ())

          testPropertyWithConfig { FsCheckConfig.defaultConfig with maxTest = 60; endSize = 60 } "a field pattern loads exactly when the runtime can build its regex"
          <| Prop.forAll (Arb.fromGen glob) (fun pattern ->
              let loaded = FilterLoader.load "f.toml" (withPattern ("field:glob:" + pattern))
              Expect.equal (Result.isOk loaded) (runtimeBuilds MatchType.Glob pattern) pattern)

          test "a field pattern too large for the runtime is a located error saying so" {
              let pattern = String.replicate 2000 "*a"
              match FilterLoader.load "f.toml" (withPattern ("field:glob:" + pattern)) with
              | Ok _ -> failtest "loaded"
              | Error [ e ] ->
                  Expect.stringContains (FilterError.render e) "too large for the recorder's runtime" "says why"
                  Expect.stringContains (FilterError.render e) "f.toml:12" "located at the pattern"
              | Error es -> failtestf "expected one error, got %A" es
          }

          test "the same pattern for an argument loads: only fields reach the runtime" {
              let pattern = String.replicate 2000 "*a"
              Expect.isOk (FilterLoader.load "f.toml" (withPattern ("arg:glob:" + pattern))) "an argument pattern"
          }

          test "rules keep their text order and positions in a file of many rules" {
              let sb = StringBuilder("[meta]\nname = \"many\"\nversion = 1\n[scope]\ndefault_exec = \"trace\"\n")
              for i in 0..2999 do
                  sb.Append(sprintf "[[scope.rules]]\nselector = 'pkg:P%d'\n" i) |> ignore
                  if i % 3 = 0 then sb.Append("[[scope.rules.value_patterns]]\nselector = 'local:x'\naction = 'drop'\n") |> ignore
              match FilterLoader.load "many.toml" (sb.ToString()) with
              | Error es -> failtestf "%A" es
              | Ok f ->
                  Expect.equal (f.Scope.Rules |> List.map (fun r -> r.Selector.Pattern)) [ for i in 0..2999 -> sprintf "P%d" i ] "order"
                  Expect.equal
                      (f.Scope.Rules |> List.map (fun r -> r.ValuePatterns.IsSome))
                      [ for i in 0..2999 -> i % 3 = 0 ]
                      "value patterns stay with their rule"
                  let lines = f.Source.RulesAt |> List.map (fun p -> p.Line)
                  Expect.equal lines (List.sort lines) "positions in order"
                  Expect.equal lines.Length 3000 "one position per rule"
          } ]
