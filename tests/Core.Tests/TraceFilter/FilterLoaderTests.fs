module CodeTracer.Core.Tests.FilterLoaderTests

open System
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

let private specExample =
    """[meta]
name = "payments"                 # required, non-empty
version = 1                       # required; only 1 exists (higher: error)
description = "hide card data"    # optional
labels = ["team-a"]               # optional

[scope]
default_exec = "trace"            # trace | skip | inherit
default_value_action = "allow"    # allow | redact | drop | inherit ("deny" = redact)

[[scope.rules]]
selector = "pkg:Shop.Payments.*"  # which methods this rule speaks of
exec = "trace"                    # optional: trace | skip
value_default = "redact"          # optional: allow | redact | drop
reason = "card data"              # optional, shown by `codetracer filters explain`

[[scope.rules.value_patterns]]
selector = "local:glob:amount*"
action = "allow"
[[scope.rules.value_patterns]]
selector = 'arg:regex:^(pan|cvv)$'
action = "drop"
"""

let private loadOk (text: string) : FilterFile =
    match FilterLoader.load "x.toml" text with
    | Ok f -> f
    | Error es -> failtestf "does not load: %s" (es |> List.map FilterError.render |> String.concat "\n")

let private loadErrors (text: string) : string list =
    match FilterLoader.load "x.toml" text with
    | Ok f -> failtestf "loads, but should not: %A" f
    | Error es -> es |> List.map FilterError.render

let private minimal = "[meta]\nname = \"m\"\nversion = 1\n"

/// Every error names the file and a line and column inside (or just after) the text.
let private located (path: string) (text: string) (result: Result<FilterFile, FilterError list>) =
    match result with
    | Ok _ -> ()
    | Error [] -> failtest "an empty error list"
    | Error errors ->
        let lines = 1 + (text |> Seq.filter (fun c -> c = '\n') |> Seq.length)
        for e in errors do
            let at = FilterError.location e
            Expect.equal at.File path "file"
            Expect.isGreaterThanOrEqual at.Line 1 (FilterError.render e)
            Expect.isGreaterThanOrEqual at.Column 1 (FilterError.render e)
            Expect.isLessThanOrEqual at.Line (lines + 1) (FilterError.render e)

let tests =
    testList
        "TraceFilter.FilterLoader"
        [ test "the spec's example loads" {
              let f = loadOk specExample
              Expect.equal
                  f.Meta
                  { Name = "payments"
                    Version = 1
                    Description = Some "hide card data"
                    Labels = [ "team-a" ] }
                  "meta"
              Expect.equal
                  f.Scope
                  { DefaultExec = Some ExecDirective.Trace
                    DefaultValueAction = Some ValueAction.Allow
                    Rules =
                      [ { Selector = { Kind = ScopeKind.Pkg; Match = MatchType.Glob; Pattern = "Shop.Payments.*" }
                          Exec = Some ExecDirective.Trace
                          ValueDefault = Some ValueAction.Redact
                          Reason = Some "card data"
                          ValuePatterns =
                            Some
                                [ { Selector = { Kind = ValueKind.Local; Match = MatchType.Glob; Pattern = "amount*" }
                                    Action = ValueAction.Allow }
                                  { Selector = { Kind = ValueKind.Arg; Match = MatchType.Regex; Pattern = "^(pan|cvv)$" }
                                    Action = ValueAction.Drop } ] } ] }
                  "scope"
              Expect.equal f.Source.Path "x.toml" "path"
              Expect.equal f.Source.DefaultExecAt (Some { Line = 8; Column = 1 }) "default_exec position"
              Expect.equal f.Source.DefaultValueActionAt (Some { Line = 9; Column = 1 }) "default_value_action position"
              Expect.equal f.Source.RulesAt [ { Line = 11; Column = 1 } ] "rule position"
          }

          test "sha256 of the text" {
              Expect.equal (loadOk minimal).Source.Sha256 "070aa6907dd81a025c69c8e49e23412ef477a8c7d47fadf3c15a89ebb84c29bd" "sha256sum of the same bytes"
          }

          test "every error is reported, located, in text order" {
              let text =
                  "[meta]\nname = \"\"\nversion = 2\nfoo = 1\n[scope]\ndefault_exec = \"maybe\"\n[[scope.rules]]\n"
                  + "selector = \"pkg:a:b\"\nexec = \"inherit\"\n[[scope.rules]]\nselector = 'obj:regex:(a'\n"
                  + "[[scope.rules.value_patterns]]\nselector = \"asm:x\"\n[other]\n"
              Expect.equal
                  (loadErrors text)
                  [ "x.toml:2:8: meta.name must not be empty"
                    "x.toml:3:11: meta.version = 2 is newer than this recorder understands (expected 1)"
                    "x.toml:4:1: unknown key \"foo\" in [meta] (expected name, version, description, labels)"
                    "x.toml:6:16: scope.default_exec = \"maybe\" is not allowed (expected trace, skip, inherit)"
                    "x.toml:8:12: rules.selector: unknown match type \"a\" (expected glob, regex, literal or words; a pattern containing ':' needs an explicit match type)"
                    "x.toml:9:8: rules.exec = \"inherit\" is not allowed (expected trace, skip)"
                    "x.toml:11:12: rules.selector: bad regular expression \"(a\": Invalid pattern '(a' at offset 2. Not enough )'s."
                    "x.toml:12:1: missing key \"action\" in [[scope.rules.value_patterns]]"
                    "x.toml:13:12: value_patterns.selector: unknown selector kind \"asm\" (expected arg, local, ret, field)"
                    "x.toml:14:2: unknown table or key \"other\" (expected meta, scope)" ]
                  "rendered errors"
          }

          test "TOML syntax errors are located" {
              match loadErrors "[meta]\nname = \n" with
              | [ e ] -> Expect.stringStarts e "x.toml:2:8: TOML syntax: " "line and column of the missing value"
              | es -> failtestf "one error expected: %A" es
              match loadErrors "[meta]\nname = \"a\"\nname = \"b\"\nversion = 1\n" with
              | [ e ] ->
                  Expect.stringStarts e "x.toml:3:1: TOML syntax: " "a key defined twice"
                  Expect.stringContains e "already defined" "says why"
              | es -> failtestf "one error expected: %A" es
          }

          test "TOML's key and table rules are kept (checked by the loader, not Tomlyn)" {
              // Valid TOML that Tomlyn 2.10.2's own check rejects.
              let f =
                  loadOk (
                      minimal
                      + "[[scope.rules]]\nselector = \"asm:a\"\n[[scope.rules.value_patterns]]\nselector = \"arg:x\"\naction = \"drop\"\n"
                      + "[[scope.rules]]\nselector = \"asm:b\"\nvalue_patterns = []\n"
                  )
              Expect.equal (f.Scope.Rules |> List.map (fun r -> r.ValuePatterns |> Option.map List.length)) [ Some 1; Some 0 ] "two rules"
              let semantic (text: string) =
                  match loadErrors text with
                  | [ e ] -> e
                  | es -> failtestf "one error expected: %A" es
              Expect.equal (semantic (minimal + "[meta]\n")) "x.toml:4:2: TOML syntax: the key \"meta\" is already defined" "a table twice"
              Expect.equal
                  (semantic ("scope.default_exec = \"trace\"\n" + minimal + "[scope]\n"))
                  "x.toml:5:2: TOML syntax: the key \"scope\" is already defined"
                  "a header after dotted keys"
              Expect.equal
                  (semantic (minimal + "[scope]\nrules = []\n[[scope.rules]]\nselector = \"asm:a\"\n"))
                  "x.toml:6:9: TOML syntax: the key \"rules\" is already defined"
                  "appending to a static array"
              Expect.equal
                  (semantic ("meta = { name = \"m\" }\n[meta]\nversion = 1\n"))
                  "x.toml:2:2: TOML syntax: the key \"meta\" is already defined"
                  "an inline table is closed"
              Expect.equal
                  (semantic (minimal + "[[scope.rules]]\nselector = \"asm:a\"\n[scope.rules]\n"))
                  "x.toml:6:8: TOML syntax: the key \"rules\" is already defined"
                  "a table where an array of tables is"
              Expect.equal
                  (semantic (minimal + "[scope.rules.x]\n[scope]\nrules.y = 1\n"))
                  "x.toml:6:1: TOML syntax: the key \"rules\" is already defined"
                  "dotted keys into a table made by a header"
              Expect.equal
                  (loadErrors "[meta]\nname = \"a\"\nname = \"b\"\nversion = 1\nversion = 2\n")
                  [ "x.toml:3:1: TOML syntax: the key \"name\" is already defined"; "x.toml:5:1: TOML syntax: the key \"version\" is already defined" ]
                  "all of them"
          }

          test "a Tomlyn exception becomes a located error" {
              // Tomlyn 2.10.2 throws on a backslash at the end of a basic string.
              match loadErrors "[meta]\nname = \"\\" with
              | [ e ] -> Expect.stringStarts e "x.toml:2:10: TOML syntax: the TOML parser failed" "at the end of the text"
              | es -> failtestf "one error expected: %A" es
          }

          test "required tables and keys, types, versions" {
              Expect.equal (loadErrors "") [ "x.toml:1:1: missing table [meta]" ] "empty text"
              Expect.equal (loadErrors "[meta]\nversion = 1\n") [ "x.toml:1:1: missing key \"name\" in [meta]" ] "no name"
              Expect.equal (loadErrors "[meta]\nname = \"n\"\n") [ "x.toml:1:1: missing key \"version\" in [meta]" ] "no version"
              Expect.equal
                  (loadErrors "[meta]\nname = \"n\"\nversion = \"1\"\n")
                  [ "x.toml:3:11: meta.version must be an integer, not a string" ]
                  "version as a string"
              Expect.equal
                  (loadErrors "[meta]\nname = \"n\"\nversion = 0\n")
                  [ "x.toml:3:11: meta.version = 0 does not exist (expected 1)" ]
                  "version 0"
              Expect.equal
                  (loadErrors "[meta]\nname = \"  \"\nversion = 1\n")
                  [ "x.toml:2:8: meta.name must not be empty" ]
                  "blank name"
              Expect.equal
                  (loadErrors "meta = 3\n")
                  [ "x.toml:1:8: meta must be a table, not an integer" ]
                  "meta is not a table"
              Expect.equal
                  (loadErrors (minimal + "labels = [\"a\", 2]\n"))
                  [ "x.toml:4:16: an element of meta.labels must be a string, not an integer" ]
                  "labels"
              Expect.equal
                  (loadErrors (minimal + "[scope]\nrules = 1.5\n"))
                  [ "x.toml:5:9: scope.rules must be an array of tables, not a float" ]
                  "rules"
              Expect.equal
                  (loadErrors (minimal + "[[scope.rules]]\nexec = \"skip\"\n"))
                  [ "x.toml:4:1: missing key \"selector\" in [[scope.rules]]" ]
                  "rule without selector"
          }

          test "unknown tables and keys are errors" {
              Expect.equal
                  (loadErrors (minimal + "[scope.extra]\n"))
                  [ "x.toml:4:8: unknown key \"extra\" in [scope] (expected default_exec, default_value_action, rules)" ]
                  "a table inside scope"
              Expect.equal
                  (loadErrors (minimal + "[[scope.rules]]\nselector = \"asm:a\"\nexce = \"skip\"\n"))
                  [ "x.toml:6:1: unknown key \"exce\" in [[scope.rules]] (expected selector, exec, value_default, reason, value_patterns)" ]
                  "a typo in a rule"
              Expect.equal
                  (loadErrors (minimal + "[[scope.rules]]\nselector = \"asm:a\"\n[[scope.rules.value_patterns]]\nselector = \"arg:a\"\naction = \"drop\"\nwhy = 1\n"))
                  [ "x.toml:9:1: unknown key \"why\" in [[scope.rules.value_patterns]] (expected selector, action)" ]
                  "a key in a value pattern"
              Expect.equal
                  (loadErrors ("top = 1\n" + minimal))
                  [ "x.toml:1:1: unknown table or key \"top\" (expected meta, scope)" ]
                  "a top-level key"
          }

          test "aliases and forms" {
              let f =
                  loadOk (
                      minimal
                      + "[scope]\ndefault_value_action = \"deny\"\n[[scope.rules]]\nselector = \"asm:a\"\nvalue_default = \"deny\"\n"
                      + "[[scope.rules.value_patterns]]\nselector = \"attr:k*\"\naction = \"deny\"\n"
                  )
              Expect.equal f.Scope.DefaultValueAction (Some ValueAction.Redact) "deny default"
              let rule = f.Scope.Rules.Head
              Expect.equal rule.ValueDefault (Some ValueAction.Redact) "deny value_default"
              Expect.equal
                  rule.ValuePatterns
                  (Some [ { Selector = { Kind = ValueKind.Field; Match = MatchType.Glob; Pattern = "k*" }; Action = ValueAction.Redact } ])
                  "attr and deny in a pattern"
              let empty = loadOk (minimal + "[[scope.rules]]\nselector = \"asm:a\"\nvalue_patterns = []\n")
              Expect.equal empty.Scope.Rules.Head.ValuePatterns (Some []) "an explicit empty list"
              Expect.equal (loadOk minimal).Scope { DefaultExec = None; DefaultValueAction = None; Rules = [] } "no scope"
          }

          test "inline tables and dotted keys mean the same as headers" {
              let inlineForm =
                  "meta = { name = \"payments\", version = 1, description = \"hide card data\", labels = [\"team-a\"] }\n"
                  + "scope.default_exec = \"trace\"\nscope.default_value_action = \"allow\"\n"
                  + "scope.rules = [ { selector = \"pkg:Shop.Payments.*\", exec = \"trace\", value_default = \"redact\", reason = \"card data\",\n"
                  + "  value_patterns = [ { selector = \"local:glob:amount*\", action = \"allow\" }, { selector = 'arg:regex:^(pan|cvv)$', action = \"drop\" } ] } ]\n"
              let a = loadOk inlineForm
              let b = loadOk specExample
              Expect.equal a.Meta b.Meta "meta"
              Expect.equal a.Scope b.Scope "scope"
              Expect.equal a.Source.RulesAt [ { Line = 4; Column = 17 } ] "the rule is where its inline table starts"
          }

          test "the built-in filters load" {
              for b in Builtins.all do
                  match Builtins.load b with
                  | Ok f ->
                      Expect.equal f.Meta.Name (Builtins.name b) "name"
                      Expect.equal f.Source.Path "<builtin>" "path"
                      Expect.equal (Builtins.tryFind f.Meta.Name) (Some b) "found by name"
                  | Error es -> failtestf "%s: %s" (Builtins.name b) (es |> List.map FilterError.render |> String.concat "\n")
          }

          testPropertyWithConfig config "any text gives a model or located errors, never an exception"
          <| Prop.forAll (Arb.fromGen Gens.text) (fun text -> located "any.toml" text (FilterLoader.load "any.toml" text))

          testPropertyWithConfig { config with maxTest = 1000 } "mutated valid files give a model or located errors"
          <| fun (MutatedText text) -> located "m.toml" text (FilterLoader.load "m.toml" text)

          testPropertyWithConfig config "loading a printed model gives the model back"
          <| fun (file: FilterFile) ->
              let text = FilterPrinter.print file
              match FilterLoader.load "p.toml" text with
              | Ok loaded ->
                  Expect.equal loaded.Meta file.Meta (sprintf "meta of\n%s" text)
                  Expect.equal loaded.Scope file.Scope (sprintf "scope of\n%s" text)
                  Expect.equal loaded.Source.RulesAt.Length file.Scope.Rules.Length "a position per rule"
                  Expect.equal loaded.Source.Sha256 (FilterLoader.sha256Hex text) "hash of the text"
              | Error es -> failtestf "%s\ndoes not load: %s" text (es |> List.map FilterError.render |> String.concat "\n") ]
