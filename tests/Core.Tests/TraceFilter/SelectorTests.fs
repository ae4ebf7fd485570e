module CodeTracer.Core.Tests.SelectorTests

open System
open System.Diagnostics
open System.Threading.Tasks
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

let private scope (text: string) : ScopeSelector =
    match Selector.parseScope text with
    | Ok s -> s
    | Error e -> failtestf "%s does not parse: %s" text (SelectorError.describe e)

let private matches (text: string) (name: string) : bool =
    let s = scope text
    match Selector.compile s with
    | Ok m -> Matcher.isMatch m name
    | Error e -> failtestf "%s does not compile: %s" text (SelectorError.describe e)

let private referenceGlob = FilterReference.glob

let tests =
    testList
        "TraceFilter.Selector"
        [ test "spec examples: globs" {
              Expect.isTrue (matches "pkg:Shop.*" "Shop.Payments.Card") "dots are ordinary: * runs across them"
              Expect.isFalse (matches "pkg:Shop.*" "ShopX") "the dot is a literal dot"
              Expect.isFalse (matches "pkg:Shop.*" "Shop") "Shop.* needs the dot"
              Expect.isTrue (matches "file:src/*" "src/a.cs") "* within a directory"
              Expect.isFalse (matches "file:src/*" "src/Legacy/a.cs") "* does not cross /"
              Expect.isTrue (matches "file:src/**" "src/Legacy/a.cs") "** crosses /"
              Expect.isTrue (matches "file:src/Legacy/**" "src/Legacy/deep/er/a.cs") "** crosses several /"
              Expect.isTrue (matches "file:**/Generated/*.cs" "src/x/Generated/a.cs") "** in the middle"
              Expect.isFalse (matches "file:**/Generated/*.cs" "src/x/Generated/y/a.cs") "then * stops at /"
              Expect.isTrue (matches "obj:Shop.Cart.T?tal" "Shop.Cart.Total") "? is one character"
              Expect.isFalse (matches "obj:Shop.Cart.T?tal" "Shop.Cart.Ttal") "? is exactly one character"
              Expect.isTrue (matches "asm:*Tests" "Shop.Tests") "suffix"
              Expect.isFalse (matches "file:*.cs" "src/a.cs") "a leading * does not cross / either"
              Expect.isTrue (matches "file:**.cs" "src/a.cs") "a leading ** does"
              Expect.isTrue (matches "pkg:Shop.Payments" "Shop.Payments") "no wildcard: exact"
              Expect.isFalse (matches "pkg:Shop.Payments" "shop.payments") "case-sensitive"
              Expect.isTrue (matches "asm:**" "") "** matches the empty name"
              Expect.isTrue (matches "obj:*a*b*a*" "xxaxxbxxaxx") "several stars"
          }

          test "regex: anchored, whole name" {
              Expect.isFalse (matches "obj:regex:Shop" "Shop.Cart") "anchored at the end"
              Expect.isFalse (matches "obj:regex:Cart" "Shop.Cart") "anchored at the start"
              Expect.isTrue (matches "obj:regex:Shop\\..*" "Shop.Cart") "whole match"
              Expect.isTrue (matches "obj:regex:a|ab" "ab") "an alternation is anchored as a whole"
              Expect.isFalse (matches "obj:regex:a$" "a\n") "no match before a final newline"
              Expect.isTrue (matches "obj:regex:(?i)shop.*" "SHOP.CART") "inline options work"
          }

          test "literal: exact and case-sensitive" {
              Expect.isTrue (matches "pkg:literal:Shop.*" "Shop.*") "the text itself"
              Expect.isFalse (matches "pkg:literal:Shop.*" "Shop.Cart") "no wildcards"
              Expect.isFalse (matches "pkg:literal:Shop" "shop") "case"
          }

          test "split on the first two colons" {
              Expect.equal (scope "obj:regex:a:b") { Kind = ScopeKind.Obj; Match = MatchType.Regex; Pattern = "a:b" } "regex with a colon"
              Expect.equal (scope "file:glob:C:/src/**") { Kind = ScopeKind.File; Match = MatchType.Glob; Pattern = "C:/src/**" } "glob with a colon"
              Expect.equal (scope "pkg:Shop.*") { Kind = ScopeKind.Pkg; Match = MatchType.Glob; Pattern = "Shop.*" } "glob by default"
              Expect.equal (scope "pkg:regex") { Kind = ScopeKind.Pkg; Match = MatchType.Glob; Pattern = "regex" } "one colon: all pattern"
              Expect.equal
                  (Selector.parseValue "attr:secret")
                  (Ok { Kind = ValueKind.Field; Match = MatchType.Glob; Pattern = "secret" })
                  "attr is field"
              Expect.equal (Selector.parseScope "pkg:foo:bar") (Error(UnknownMatchType "foo")) "a colon needs a match type"
              Expect.equal (Selector.parseScope "pkg") (Error(MissingKind "pkg")) "no colon"
              Expect.equal (Selector.parseScope "") (Error EmptySelector) "empty"
              Expect.equal (Selector.parseScope "pkg:") (Error EmptyPattern) "empty pattern"
              Expect.equal (Selector.parseScope "pkg:regex:") (Error EmptyPattern) "empty pattern after a match type"
              Expect.equal
                  (Selector.parseScope "arg:x")
                  (Error(UnknownKind("arg", [ "asm"; "pkg"; "obj"; "file" ])))
                  "a value kind where a scope kind is needed"
              Expect.equal
                  (Selector.parseValue "Arg:x")
                  (Error(UnknownKind("Arg", [ "arg"; "local"; "ret"; "field" ])))
                  "kinds are lowercase"
          }

          test "a bad or unsupported regex is an error, not an exception" {
              match Selector.parseScope "obj:regex:(a" with
              | Error(BadRegex("(a", _)) -> ()
              | other -> failtestf "expected BadRegex, got %A" other
              match Selector.parseScope @"obj:regex:(a)\1" with
              | Error(BadRegex(_, reason)) -> Expect.stringContains reason "NonBacktracking" "backreferences are not supported"
              | other -> failtestf "expected BadRegex, got %A" other
              match Selector.parseScope "obj:regex:a)|(b" with
              | Error(BadRegex _) -> ()
              | other -> failtestf "a pattern cannot escape the anchoring group: %A" other
          }

          test "a catastrophic regex returns quickly" {
              let m =
                  match Selector.compile (scope "obj:regex:(a+)+$") with
                  | Ok m -> m
                  | Error e -> failtestf "%A" e
              let name = String('a', 50_000) + "!"
              let clock = Stopwatch.StartNew()
              let run = Task.Run(fun () -> Matcher.isMatch m name)
              Expect.isTrue (run.Wait(TimeSpan.FromSeconds 10.0)) "finished within 10 s"
              Expect.isFalse run.Result "no match"
              Expect.isLessThan clock.Elapsed.TotalSeconds 2.0 "well under 2 s"
          }

          testPropertyWithConfig config "glob matching agrees with a reference translation"
          <| Prop.forAll (Arb.fromGen (Gen.zip FilterGens.globPattern (Gen.listOf FilterGens.name))) (fun (pattern, names) ->
              let m = Matcher.ofGlob pattern
              for name in names do
                  Expect.equal (Matcher.isMatch m name) (referenceGlob pattern name) (sprintf "%s on %s" pattern name))

          testPropertyWithConfig config "parse after print gives the selector back"
          <| Prop.forAll (Arb.fromGen (Gen.zip (FilterGens.selector ScopeKind.all) (FilterGens.selector ValueKind.all))) (fun (s, v) ->
              Expect.equal (Selector.parseScope (Selector.scopeToConfigString s)) (Ok s) "scope"
              Expect.equal (Selector.parseValue (Selector.valueToConfigString v)) (Ok v) "value")

          test "enum spellings round-trip, with the aliases" {
              for d in [ ExecDirective.Trace; ExecDirective.Skip; ExecDirective.Inherit ] do
                  Expect.equal (ExecDirective.tryParse (ExecDirective.toConfigString d)) (Some d) "exec"
              for a in [ ValueAction.Allow; ValueAction.Redact; ValueAction.Drop; ValueAction.Inherit ] do
                  Expect.equal (ValueAction.tryParse (ValueAction.toConfigString a)) (Some a) "action"
              Expect.equal (ValueAction.tryParse "deny") (Some ValueAction.Redact) "deny is redact"
              Expect.equal (ValueKind.tryParse "attr") (Some ValueKind.Field) "attr is field"
              Expect.equal (ExecDirective.tryParse "Trace") None "case-sensitive"
              for k in ScopeKind.all do
                  Expect.equal (ScopeKind.tryParse (ScopeKind.toConfigString k)) (Some k) "scope kind"
              for k in ValueKind.all do
                  Expect.equal (ValueKind.tryParse (ValueKind.toConfigString k)) (Some k) "value kind"
              for m in [ MatchType.Glob; MatchType.Regex; MatchType.Literal ] do
                  Expect.equal (MatchType.tryParse (MatchType.toConfigString m)) (Some m) "match type"
          } ]
