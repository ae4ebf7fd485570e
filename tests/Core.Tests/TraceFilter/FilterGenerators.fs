namespace CodeTracer.Core.Tests

open System
open System.Text
open FsCheck
open FsCheck.FSharp
open Expecto
open CodeTracer.Core.TraceFilter

/// A chain of filter models and method contexts to decide for (Decision tests).
type GeneratedChain =
    { Files: FilterFile list
      Contexts: MethodContext list
      /// Values to decide in each context: kind and name.
      Values: (ValueKind * string) list }

/// A mutated filter text (loader totality).
type MutatedText = MutatedText of string

/// Raw generators of the trace-filter tests.
[<RequireQualifiedAccess>]
module FilterGens =

    let private smallListOf (max: int) (g: Gen<'T>) : Gen<'T list> =
        Gen.choose (0, max) |> Gen.bind (fun n -> Gen.sequenceToList (List.replicate n g))

    /// Text TOML can hold: `Gens.text` without lone surrogates.
    let tomlText : Gen<string> =
        Gens.text
        |> Gen.map (fun s ->
            let sb = StringBuilder()
            let mutable i = 0
            while i < s.Length do
                if Char.IsSurrogatePair(s, i) then
                    sb.Append(s, i, 2) |> ignore
                    i <- i + 2
                elif Char.IsSurrogate s.[i] then
                    i <- i + 1
                else
                    sb.Append(s.[i]) |> ignore
                    i <- i + 1
            sb.ToString())

    /// Names over a tiny alphabet, so that patterns often match them.
    let name : Gen<string> =
        Gen.choose (0, 6)
        |> Gen.bind (fun n -> Gen.sequenceToArray (Array.replicate n (Gen.elements [ 'a'; 'b'; '.'; '/'; ':' ])))
        |> Gen.map String

    /// Glob patterns over the same alphabet, with `*`, `**` and `?`.
    let globPattern : Gen<string> =
        Gen.choose (1, 5)
        |> Gen.bind (fun n ->
            Gen.sequenceToList (List.replicate n (Gen.elements [ "a"; "b"; "."; "/"; ":"; "*"; "**"; "?"; "ab" ])))
        |> Gen.map String.Concat

    /// Valid regular expressions that match some of the names.
    let regexPattern : Gen<string> =
        Gen.elements [ "a.*"; "(a|b)+"; "[ab]*\\.b"; ".*/a"; "a?b*"; "a:b"; "[^/]*"; "(?i)A.*" ]

    /// A selector of any kind in `kinds`, of every match type.
    let selector (kinds: 'K list) : Gen<Selector<'K>> =
        gen {
            let! kind = Gen.elements kinds
            let! matchType, pattern =
                Gen.frequency
                    [ 5, globPattern |> Gen.map (fun p -> MatchType.Glob, p)
                      2, regexPattern |> Gen.map (fun p -> MatchType.Regex, p)
                      2, name |> Gen.filter (fun s -> s <> "") |> Gen.map (fun p -> MatchType.Literal, p) ]
            return { Kind = kind; Match = matchType; Pattern = pattern }
        }

    let private valuePattern : Gen<ValuePattern> =
        Gen.map2
            (fun s a -> { Selector = s; Action = a })
            (selector ValueKind.all)
            (Gen.elements [ ValueAction.Allow; ValueAction.Redact; ValueAction.Drop ])

    /// A rule as the loader makes them (no Inherit in a rule).
    let rule : Gen<Rule> =
        gen {
            let! s = selector ScopeKind.all
            let! exec = Gen.optionOf (Gen.elements [ ExecDirective.Trace; ExecDirective.Skip ])
            let! value = Gen.optionOf (Gen.elements [ ValueAction.Allow; ValueAction.Redact; ValueAction.Drop ])
            let! reason = Gen.optionOf tomlText
            let! patterns = Gen.frequency [ 2, Gen.constant None; 1, smallListOf 3 valuePattern |> Gen.map Some ]
            return
                { Selector = s
                  Exec = exec
                  ValueDefault = value
                  Reason = reason
                  ValuePatterns = patterns }
        }

    let private execDefault = Gen.optionOf (Gen.elements [ ExecDirective.Trace; ExecDirective.Skip; ExecDirective.Inherit ])

    let private valueDefault =
        Gen.optionOf (Gen.elements [ ValueAction.Allow; ValueAction.Redact; ValueAction.Drop; ValueAction.Inherit ])

    /// A filter model (any defaults, Inherit included) with up to `maxRules` rules.
    let filterFile (maxRules: int) : Gen<FilterFile> =
        gen {
            let! name = tomlText |> Gen.filter (fun s -> not (String.IsNullOrWhiteSpace s))
            let! description = Gen.optionOf tomlText
            let! labels = smallListOf 3 tomlText
            let! exec = execDefault
            let! value = valueDefault
            let! rules = smallListOf maxRules rule
            return
                { Meta =
                    { Name = name
                      Version = 1
                      Description = description
                      Labels = labels }
                  Scope =
                    { DefaultExec = exec
                      DefaultValueAction = value
                      Rules = rules }
                  Source = FilterFile.sourceOf "gen.toml" "" }
        }

    /// Method contexts whose names come from the tiny alphabet.
    let context : Gen<MethodContext> =
        gen {
            let! asm = name
            let! ns = name
            let! qualified = name
            let! file = Gen.optionOf name
            return
                { AssemblyName = asm
                  Namespace = ns
                  QualifiedMethod = qualified
                  RelativeFile = file }
        }

    /// 1-4 files (the first one usually sets both defaults), contexts and values.
    let chain : Gen<GeneratedChain> =
        gen {
            let! first = filterFile 4
            let! firstSets = Gen.frequency [ 4, Gen.constant true; 1, Gen.constant false ]
            let first =
                if firstSets then
                    { first with
                        Scope =
                            { first.Scope with
                                DefaultExec = Some ExecDirective.Trace
                                DefaultValueAction = Some ValueAction.Allow } }
                else
                    first
            let! more = smallListOf 3 (filterFile 4)
            let files = (first :: more) |> List.mapi (fun i f -> { f with Source = FilterFile.sourceOf (sprintf "f%d.toml" i) "" })
            // Contexts often carry a name some rule of the chain matches.
            let exampleOf (sel: Selector<'K>) =
                match sel.Match with
                | MatchType.Regex -> None
                | MatchType.Literal -> Some sel.Pattern
                | MatchType.Glob -> Some(sel.Pattern.Replace("*", "a").Replace("?", "b"))
            let scopeExamples =
                [ for f in files do
                      for r in f.Scope.Rules do
                          match exampleOf r.Selector with
                          | Some e -> yield r.Selector.Kind, e
                          | None -> () ]
            let withExample (c: MethodContext) =
                if scopeExamples.IsEmpty then
                    Gen.constant c
                else
                    Gen.elements scopeExamples
                    |> Gen.map (fun (kind, e) ->
                        match kind with
                        | ScopeKind.Asm -> { c with AssemblyName = e }
                        | ScopeKind.Pkg -> { c with Namespace = e }
                        | ScopeKind.Obj -> { c with QualifiedMethod = e }
                        | ScopeKind.File -> { c with RelativeFile = Some e })
            let contextGen = Gen.oneof [ context; context |> Gen.bind withExample |> Gen.bind withExample ]
            let! contexts = Gen.sequenceToList (List.replicate 4 contextGen)
            // Half the values are named after a pattern of the chain, so that patterns decide often.
            let examples =
                [ for f in files do
                      for r in f.Scope.Rules do
                          for p in Option.defaultValue [] r.ValuePatterns do
                              match p.Selector.Match with
                              | MatchType.Regex -> ()
                              | MatchType.Literal -> yield p.Selector.Kind, p.Selector.Pattern
                              | MatchType.Glob ->
                                  yield p.Selector.Kind, p.Selector.Pattern.Replace("*", "a").Replace("?", "b") ]
            let value =
                if examples.IsEmpty then
                    Gen.zip (Gen.elements ValueKind.all) name
                else
                    Gen.oneof [ Gen.zip (Gen.elements ValueKind.all) name; Gen.elements examples ]
            let! values = Gen.sequenceToList (List.replicate 6 value)
            return { Files = files; Contexts = contexts; Values = values }
        }

    let private snippets =
        [ "["; "]"; "[["; "]]"; "="; "\""; "'"; "\\"; "\n"; "#"; "{"; "}"; ","; "."; " "; "\"\"\""
          "scope"; "rules"; "meta"; "selector"; "value_patterns"; "1"; "2"; "inherit"; "regex:"; "(a+)+"
          "\\u00"; "\u0000"; "é"; "\r\n"; "[scope.rules]"; "[[scope.rules.value_patterns]]" ]

    let private mutation (text: string) : Gen<string> =
        let len = text.Length
        let at = Gen.choose (0, len)
        Gen.oneof
            [ // delete a range
              Gen.map2
                  (fun a b ->
                      let a, b = min a b, max a b
                      text.Remove(a, min (b - a) 12))
                  at
                  at
              // insert a snippet
              Gen.map2 (fun i s -> text.Insert(i, s)) at (Gen.elements snippets)
              // replace a character with a random one
              Gen.map2
                  (fun i c -> if len = 0 then string c else text.Remove(min i (len - 1), 1).Insert(min i (len - 1), string c))
                  at
                  (Gen.choose (0, 0xFFFF) |> Gen.map char)
              // duplicate a line
              Gen.choose (0, 100)
              |> Gen.map (fun k ->
                  let lines = text.Split '\n'
                  let i = k % lines.Length
                  String.Join("\n", Array.insertAt i lines.[i] lines))
              // cut the text
              at |> Gen.map (fun i -> text.Substring(0, i)) ]

    /// A valid filter's text (a generated model printed, or a built-in) after 1-4 mutations.
    let mutatedText : Gen<MutatedText> =
        gen {
            let! source =
                Gen.frequency
                    [ 3, filterFile 3 |> Gen.map FilterPrinter.print
                      1, Gen.elements Builtins.all |> Gen.map Builtins.text ]
            let! count = Gen.choose (1, 4)
            let rec apply n text =
                if n = 0 then Gen.constant text else mutation text |> Gen.bind (apply (n - 1))
            let! text = apply count source
            return MutatedText text
        }

/// The arbitraries of the trace-filter tests.
type FilterGenerators =
    /// A filter model as the loader can produce it.
    static member FilterFile() : Arbitrary<FilterFile> = Arb.fromGen (FilterGens.filterFile 5)

    /// A chain with contexts and values to decide.
    static member GeneratedChain() : Arbitrary<GeneratedChain> = Arb.fromGen FilterGens.chain

    /// A method context over a tiny alphabet.
    static member MethodContext() : Arbitrary<MethodContext> = Arb.fromGen FilterGens.context

    /// A mutated valid filter text.
    static member MutatedText() : Arbitrary<MutatedText> = Arb.fromGen FilterGens.mutatedText

/// The FsCheck configuration of the trace-filter tests.
[<RequireQualifiedAccess>]
module FilterGenerators =
    /// `Generators.config` plus the trace-filter arbitraries.
    let config =
        { Generators.config with
            arbitrary = [ typeof<Generators>; typeof<FilterGenerators> ] }

/// A plain reference for the matching semantics of the spec (backtracking regexes, no fast paths).
[<RequireQualifiedAccess>]
module FilterReference =
    open System.Text.RegularExpressions

    let private anchored (body: string) (name: string) : bool =
        Regex.IsMatch(name, @"\A(?:" + body + @")\z")

    /// `*` any run without `/`, `**` any run, `?` one character, the rest literal.
    let glob (pattern: string) (name: string) : bool =
        let body =
            Regex.Replace(
                pattern,
                @"\*\*+|\*|\?|[^*?]+",
                fun m ->
                    match m.Value with
                    | "*" -> "[^/]*"
                    | "?" -> @"[\s\S]"
                    | v when v.StartsWith "**" -> @"[\s\S]*"
                    | v -> Regex.Escape v
            )
        anchored body name

    /// Whether a selector matches a name.
    let matches (selector: Selector<'K>) (name: string) : bool =
        match selector.Match with
        | MatchType.Glob -> glob selector.Pattern name
        | MatchType.Regex -> anchored selector.Pattern name
        | MatchType.Literal -> selector.Pattern = name
