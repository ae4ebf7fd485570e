module CodeTracer.Core.Tests.DecisionTests

open System.Text.RegularExpressions
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

/// An origin as (file index, rule number or 0, pattern number or 0).
type private Where = int * int * int

let private whereOf (origin: Origin) : Where =
    match origin with
    | FileDefault f -> f.Index, 0, 0
    | RuleOf(f, r) -> f.Index, r, 0
    | PatternOf(f, r, p) -> f.Index, r, p

/// The spec's precedence rules, written as plainly as possible over the models.
module private Reference =

    let private isAbsolute (p: string) = Regex.IsMatch(p, @"^(/|\\\\|[A-Za-z]:[/\\])")

    let private defaultOf (files: FilterFile list) (key: string) (get: FilterFile -> 'T option) (isInherit: 'T -> bool) =
        let setters = files |> List.indexed |> List.choose (fun (i, f) -> get f |> Option.map (fun v -> i, v))
        match setters with
        | [] -> Error("none:" + key)
        | (_, v) :: _ when isInherit v -> Error("inherit:" + key)
        | _ ->
            let i, v = setters |> List.filter (fun (_, v) -> not (isInherit v)) |> List.last
            Ok(v, (i, 0, 0))

    /// The error tags of a chain without a project root, or its two defaults.
    let chain (files: FilterFile list) =
        let exec = defaultOf files "scope.default_exec" (fun f -> f.Scope.DefaultExec) (fun d -> d = ExecDirective.Inherit)
        let value =
            defaultOf files "scope.default_value_action" (fun f -> f.Scope.DefaultValueAction) (fun a -> a = ValueAction.Inherit)
        let absolute =
            [ for f in files do
                  for r in f.Scope.Rules do
                      if r.Selector.Kind = ScopeKind.File && r.Selector.Match <> MatchType.Regex && isAbsolute r.Selector.Pattern then
                          yield "absolute:" + r.Selector.Pattern ]
        match exec, value, absolute with
        | Ok e, Ok v, [] -> Ok(e, v)
        | _ ->
            let tag =
                function
                | Error t -> [ t ]
                | Ok _ -> []
            Error(List.sort (tag exec @ tag value @ absolute))

    let private nameOf (c: MethodContext) (kind: ScopeKind) =
        match kind with
        | ScopeKind.Asm -> Some c.AssemblyName
        | ScopeKind.Pkg -> Some c.Namespace
        | ScopeKind.Obj -> Some c.QualifiedMethod
        | ScopeKind.File -> c.RelativeFile

    /// Exec, value default and the rule whose patterns are in force (with the replaced ones).
    let decide (files: FilterFile list) (defaults: (ExecDirective * Where) * (ValueAction * Where)) (c: MethodContext) =
        let matching =
            [ for i, f in List.indexed files do
                  for j, r in List.indexed f.Scope.Rules do
                      match nameOf c r.Selector.Kind with
                      | Some n when FilterReference.matches r.Selector n -> yield (i, j + 1, 0), r
                      | _ -> () ]
        let lastWith (has: Rule -> bool) = matching |> List.filter (snd >> has) |> List.tryLast
        let exec =
            match lastWith (fun r -> r.Exec.IsSome) with
            | Some(w, r) -> r.Exec.Value, w
            | None -> fst defaults
        let value =
            match lastWith (fun r -> r.ValueDefault.IsSome) with
            | Some(w, r) -> r.ValueDefault.Value, w
            | None -> snd defaults
        let withPatterns = matching |> List.filter (fun (_, r) -> r.ValuePatterns.IsSome)
        exec, value, List.tryLast withPatterns, (withPatterns |> List.map fst |> List.truncate (max 0 (withPatterns.Length - 1)))

    /// The first pattern of the value's kind that matches, otherwise the value default.
    let decideValue (patterns: (Where * Rule) option) (valueDefault: ValueAction * Where) (kind: ValueKind) (name: string) =
        match patterns with
        | None -> valueDefault
        | Some((i, j, _), r) ->
            r.ValuePatterns.Value
            |> List.indexed
            |> List.tryFind (fun (_, p) -> p.Selector.Kind = kind && FilterReference.matches p.Selector name)
            |> Option.map (fun (k, p) -> p.Action, (i, j, k + 1))
            |> Option.defaultValue valueDefault

let private errorTag (e: FilterError) : string =
    match e with
    | InheritAtChainStart(_, key) -> "inherit:" + key
    | NoDefaultInChain(_, key) -> "none:" + key
    | AbsoluteFileWithoutRoot(_, pattern) -> "absolute:" + pattern
    | other -> sprintf "unexpected: %s" (FilterError.render other)

let private load (path: string) (text: string) : FilterFile =
    match FilterLoader.load path text with
    | Ok f -> f
    | Error es -> failtestf "%s" (es |> List.map FilterError.render |> String.concat "\n")

let private chainOf (root: string option) (files: FilterFile list) : FilterChain =
    match FilterChain.create root files with
    | Ok c -> c
    | Error es -> failtestf "%s" (es |> List.map FilterError.render |> String.concat "\n")

let private chainErrors (root: string option) (files: FilterFile list) : string list =
    match FilterChain.create root files with
    | Ok _ -> failtest "the chain builds, but should not"
    | Error es -> es |> List.map FilterError.render

let private builtin = Builtins.get BuiltinFilter.Default

let private context asm ns meth =
    { AssemblyName = asm
      Namespace = ns
      QualifiedMethod = meth
      RelativeFile = None }

let private app = context "Shop" "Shop.Payments" "Shop.Payments.Card.Charge"

let private user (rules: string) =
    load "user.toml" ("[meta]\nname = \"user\"\nversion = 1\n" + rules)

let tests =
    testList
        "TraceFilter.Decision"
        [ testPropertyWithConfig { config with maxTest = 500 } "the engine agrees with a reference implementation of the precedence rules"
          <| fun (g: GeneratedChain) ->
              match Reference.chain g.Files, FilterChain.create None g.Files with
              | Error expected, Error actual -> Expect.equal (actual |> List.map errorTag |> List.sort) expected "the same errors"
              | Error expected, Ok _ -> failtestf "the chain builds, but the reference expects %A" expected
              | Ok _, Error actual -> failtestf "the chain does not build: %A" (actual |> List.map FilterError.render)
              | Ok defaults, Ok chain ->
                  for c in g.Contexts do
                      let policy = Decision.decide chain c
                      let exec, value, patterns, replaced = Reference.decide g.Files defaults c
                      Expect.equal (policy.Exec, whereOf policy.ExecOrigin) exec (sprintf "exec in %A" c)
                      Expect.equal (policy.ValueDefault, whereOf policy.ValueDefaultOrigin) value (sprintf "value default in %A" c)
                      Expect.equal
                          (policy.Patterns |> Option.map (fun l -> whereOf l.Origin))
                          (patterns |> Option.map fst)
                          (sprintf "patterns in %A" c)
                      Expect.equal (policy.ReplacedPatterns |> List.map whereOf) replaced "replaced lists"
                      for kind, name in g.Values do
                          let action, origin = Decision.decideValue policy kind name
                          Expect.equal
                              (action, whereOf origin)
                              (Reference.decideValue patterns value kind name)
                              (sprintf "%A %s in %A" kind name c)

          testPropertyWithConfig config "a file that inherits and has no rules changes no decision"
          <| fun (g: GeneratedChain) (inheritExec: bool) (inheritValue: bool) (position: int) ->
              let head = g.Files.Head.Scope
              match FilterChain.create None g.Files with
              | Ok chain when head.DefaultExec = Some ExecDirective.Trace && head.DefaultValueAction = Some ValueAction.Allow ->
                  let quiet =
                      { g.Files.Head with
                          Scope =
                              { DefaultExec = (if inheritExec then Some ExecDirective.Inherit else None)
                                DefaultValueAction = (if inheritValue then Some ValueAction.Inherit else None)
                                Rules = [] } }
                  let at = 1 + abs (position % g.Files.Length)
                  let withQuiet = chainOf None (List.insertAt at quiet g.Files)
                  let shift (o: Origin) =
                      let i, r, p = whereOf o
                      (if i >= at then i - 1 else i), r, p
                  for c in g.Contexts do
                      let a = Decision.decide chain c
                      let b = Decision.decide withQuiet c
                      Expect.equal (b.Exec, shift b.ExecOrigin) (a.Exec, whereOf a.ExecOrigin) "exec"
                      Expect.equal (b.ValueDefault, shift b.ValueDefaultOrigin) (a.ValueDefault, whereOf a.ValueDefaultOrigin) "value default"
              | _ -> ()

          test "inherit keeps the earlier default; an absent default too" {
              let a = user "[scope]\ndefault_exec = \"skip\"\ndefault_value_action = \"drop\"\n"
              let b = load "b.toml" "[meta]\nname = \"b\"\nversion = 1\n[scope]\ndefault_exec = \"inherit\"\ndefault_value_action = \"inherit\"\n"
              let c = load "c.toml" "[meta]\nname = \"c\"\nversion = 1\n"
              let policy = Decision.decide (chainOf None [ builtin; a; b; c ]) app
              Expect.equal policy.Exec ExecDirective.Skip "from user"
              Expect.equal (Origin.describe policy.ExecOrigin) "the defaults of user (user.toml)" "provenance"
              Expect.equal policy.ValueDefault ValueAction.Drop "from user"
              let later = load "d.toml" "[meta]\nname = \"d\"\nversion = 1\n[scope]\ndefault_exec = \"trace\"\n"
              let policy = Decision.decide (chainOf None [ builtin; a; b; later ]) app
              Expect.equal (policy.Exec, whereOf policy.ExecOrigin) (ExecDirective.Trace, (3, 0, 0)) "a later default replaces"
              Expect.equal (policy.ValueDefault, whereOf policy.ValueDefaultOrigin) (ValueAction.Drop, (1, 0, 0)) "value kept"
          }

          test "inherit in the first file that sets a default is a located error" {
              let a = load "a.toml" "[meta]\nname = \"a\"\nversion = 1\n[scope]\ndefault_exec = \"inherit\"\ndefault_value_action = \"allow\"\n"
              Expect.equal
                  (chainErrors None [ a ])
                  [ "a.toml:5:1: scope.default_exec = \"inherit\" in the first filter of the chain that sets it: there is nothing to inherit" ]
                  "first file"
              let none = load "n.toml" "[meta]\nname = \"n\"\nversion = 1\n"
              let b = load "b.toml" "[meta]\nname = \"b\"\nversion = 1\n[scope]\ndefault_exec = \"skip\"\ndefault_value_action = \"inherit\"\n"
              Expect.equal
                  (chainErrors None [ none; b ])
                  [ "b.toml:6:1: scope.default_value_action = \"inherit\" in the first filter of the chain that sets it: there is nothing to inherit" ]
                  "the first file that sets it"
              Expect.equal
                  (chainErrors None [ none ])
                  [ "n.toml:1:1: no filter of the chain sets scope.default_exec"
                    "n.toml:1:1: no filter of the chain sets scope.default_value_action" ]
                  "nobody sets them"
              let sets = user "[scope]\ndefault_exec = \"skip\"\ndefault_value_action = \"drop\"\n"
              Expect.equal (Decision.decide (chainOf None [ none; sets; a ]) app).Exec ExecDirective.Skip "a first file that sets nothing is fine"
          }

          test "the last matching rule that sets a part wins, across files" {
              let first =
                  user (
                      "[[scope.rules]]\nselector = \"pkg:Shop.*\"\nexec = \"skip\"\nvalue_default = \"drop\"\n"
                      + "[[scope.rules]]\nselector = \"obj:Shop.Payments.Card.*\"\nexec = \"trace\"\n"
                      + "[[scope.rules]]\nselector = \"asm:Other\"\nexec = \"skip\"\n"
                  )
              let second = load "second.toml" "[meta]\nname = \"second\"\nversion = 1\n[[scope.rules]]\nselector = \"asm:Shop\"\nreason = \"sets nothing\"\n"
              let policy = Decision.decide (chainOf None [ builtin; first; second ]) app
              Expect.equal (policy.Exec, whereOf policy.ExecOrigin) (ExecDirective.Trace, (1, 2, 0)) "rule 2 is the last that sets exec"
              Expect.equal (policy.ValueDefault, whereOf policy.ValueDefaultOrigin) (ValueAction.Drop, (1, 1, 0)) "rule 1 set value_default"
              let later = load "later.toml" "[meta]\nname = \"later\"\nversion = 1\n[[scope.rules]]\nselector = \"asm:Shop\"\nexec = \"skip\"\n"
              let policy = Decision.decide (chainOf None [ builtin; first; later ]) app
              Expect.equal (policy.Exec, whereOf policy.ExecOrigin) (ExecDirective.Skip, (2, 1, 0)) "a later file wins"
              Expect.equal (Origin.describe policy.ExecOrigin) "rule 1 of later (later.toml:4)" "described with its line"
          }

          test "builtin-default: the platform is skipped, secrets are redacted" {
              let chain = chainOf None [ builtin ]
              for asm in [ "System"; "System.Linq"; "System.Private.CoreLib"; "Microsoft.Extensions.Logging"; "netstandard"; "mscorlib"; "FSharp.Core"; "CodeTracer.Runtime" ] do
                  Expect.equal (Decision.decide chain (context asm "X" "X.Y.Z")).Exec ExecDirective.Skip asm
              for asm in [ "Shop"; "SystemX"; "FSharp.Data"; "MyCompany.Microsoft" ] do
                  Expect.equal (Decision.decide chain (context asm "X" "X.Y.Z")).Exec ExecDirective.Trace asm
              let policy = Decision.decide chain app
              for kind in ValueKind.all do
                  for name in [ "password"; "Password"; "userPwd"; "apiKey"; "API_KEY"; "sessionId"; "cardNumber"; "IBAN" ] do
                      Expect.equal (fst (Decision.decideValue policy kind name)) ValueAction.Redact (sprintf "%A %s" kind name)
                  let token = { Name = "refresh-token"; Judged = "refresh-token"; IsText = true }
                  Expect.equal (fst (Decision.decideSubject policy kind token)) ValueAction.Redact (sprintf "%A refresh-token" kind)
                  for name in [ "count"; "total"; "name"; "this" ] do
                      Expect.equal (fst (Decision.decideValue policy kind name)) ValueAction.Allow (sprintf "%A %s" kind name)
              Expect.equal
                  (Decision.decideValue policy ValueKind.Arg "password" |> snd |> Origin.describe)
                  "value pattern 1 of rule 1 of builtin-default (<builtin>:10)"
                  "provenance"
              Expect.equal
                  (Decision.decideSubject policy ValueKind.Ret { Name = "Shop.Auth.GetToken"; Judged = "GetToken"; IsText = true } |> fst)
                  ValueAction.Redact
                  "a return value by its method's name"
          }

          test "test-framework filters skip the framework and keep the tests" {
              for framework, asm in
                  [ BuiltinFilter.Xunit, "xunit.core"; BuiltinFilter.Xunit, "xunit.execution.dotnet"; BuiltinFilter.Nunit, "nunit.framework"
                    BuiltinFilter.Nunit, "NUnit3.TestAdapter"; BuiltinFilter.Mstest, "MSTest.TestAdapter"; BuiltinFilter.Mstest, "testhost" ] do
                  let chain = chainOf None [ builtin; Builtins.get framework ]
                  Expect.equal (Decision.decide chain (context asm "X" "X.Y.Z")).Exec ExecDirective.Skip asm
                  Expect.equal (Decision.decide chain (context "Shop.Tests" "Shop.Tests" "Shop.Tests.CartTests.Adds")).Exec ExecDirective.Trace "tests"
          }

          test "a user rule with value_patterns replaces the built-in secret patterns, visibly" {
              let u =
                  user (
                      "\n[[scope.rules]]\nselector = \"pkg:Shop.*\"\nreason = \"we log passwords on purpose\"\n"
                      + "[[scope.rules.value_patterns]]\nselector = \"local:tmp*\"\naction = \"drop\"\n"
                  )
              let chain = chainOf None [ builtin; u ]
              let policy = Decision.decide chain app
              Expect.equal (Decision.decideValue policy ValueKind.Arg "password" |> fst) ValueAction.Allow "no longer redacted"
              Expect.equal (Decision.decideValue policy ValueKind.Local "tmp1" |> fst) ValueAction.Drop "the user's pattern"
              Expect.equal
                  (policy.Patterns |> Option.map (fun l -> Origin.describe l.Origin))
                  (Some "rule 1 of user (user.toml:5)")
                  "who set the patterns"
              Expect.equal
                  (policy.ReplacedPatterns |> List.map Origin.describe)
                  [ "rule 1 of builtin-default (<builtin>:10)" ]
                  "whose patterns were replaced"
              Expect.equal
                  (Decision.effectivePatterns policy |> List.map (fun (p, o) -> Selector.valueToConfigString p.Selector, Origin.describe o))
                  [ "local:tmp*", "value pattern 1 of rule 1 of user (user.toml:5)" ]
                  "the patterns in force"
              let outside = Decision.decide chain (context "Other" "Other" "Other.A.B")
              Expect.equal (Decision.decideValue outside ValueKind.Arg "password" |> fst) ValueAction.Redact "elsewhere still redacted"
              Expect.isEmpty outside.ReplacedPatterns "nothing replaced there"
          }

          test "file selectors: relative paths, absolute patterns under the root" {
              let u =
                  user (
                      "[[scope.rules]]\nselector = \"file:src/Legacy/**\"\nexec = \"skip\"\n"
                      + "[[scope.rules]]\nselector = \"file:/home/u/proj/gen/*.cs\"\nexec = \"skip\"\n"
                  )
              let chain = chainOf (Some "/home/u/proj/") [ builtin; u ]
              let inFile f = { app with RelativeFile = Some f }
              Expect.equal (Decision.decide chain (inFile "src/Legacy/Old/A.cs")).Exec ExecDirective.Skip "relative pattern"
              Expect.equal (Decision.decide chain (inFile "gen/A.cs")).Exec ExecDirective.Skip "absolute pattern made relative"
              Expect.equal (Decision.decide chain (inFile "gen/sub/A.cs")).Exec ExecDirective.Trace "* stops at /"
              Expect.equal (Decision.decide chain app).Exec ExecDirective.Trace "no file: no file rule matches"
              Expect.equal
                  (chainErrors (Some "/home/other") [ builtin; u ])
                  [ "user.toml:7:1: file pattern \"/home/u/proj/gen/*.cs\" is absolute and not under the project root \"/home/other\"" ]
                  "outside the root"
              Expect.equal
                  (chainErrors None [ builtin; u ])
                  [ "user.toml:7:1: file pattern \"/home/u/proj/gen/*.cs\" is absolute but no project root is known" ]
                  "no root"
              let windows = user "[[scope.rules]]\nselector = 'file:glob:C:\\proj\\gen\\**'\nexec = \"skip\"\n"
              let chain = chainOf (Some "C:\\proj") [ builtin; windows ]
              Expect.equal (Decision.decide chain (inFile "gen/x/A.cs")).Exec ExecDirective.Skip "Windows separators"
              let share = user "[[scope.rules]]\nselector = 'file:glob:\\\\srv\\proj\\gen\\**'\nexec = \"skip\"\n"
              let chain = chainOf (Some "\\\\srv\\proj") [ builtin; share ]
              Expect.equal (Decision.decide chain (inFile "gen/x/A.cs")).Exec ExecDirective.Skip "a UNC pattern under a UNC root"
          } ]
