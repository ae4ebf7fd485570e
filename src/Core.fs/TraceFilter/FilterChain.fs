namespace CodeTracer.Core.TraceFilter

open System
open CodeTracer.Core.Common

/// A filter of a chain, as provenance names it.
type FilterRef =
    { Name: string
      Path: string
      /// Position in the chain, from 0.
      Index: int
      /// The file's rule positions, to say where a rule is written.
      RulesAt: SourcePosition list }

/// Where a part of a decision comes from.
type Origin =
    /// `scope.default_exec` or `scope.default_value_action` of a file.
    | FileDefault of FilterRef
    /// A rule of a file (numbered from 1).
    | RuleOf of FilterRef * rule: int
    /// A value pattern (numbered from 1) of a rule (numbered from 1).
    | PatternOf of FilterRef * rule: int * pattern: int

/// Describing origins to people.
[<RequireQualifiedAccess>]
module Origin =
    let private where (file: FilterRef) (rule: int) : string =
        match List.tryItem (rule - 1) file.RulesAt with
        | Some at -> sprintf "%s:%d" file.Path at.Line
        | None -> file.Path

    /// The filter the origin belongs to.
    let filter (origin: Origin) : FilterRef =
        match origin with
        | FileDefault f
        | RuleOf(f, _)
        | PatternOf(f, _, _) -> f

    /// "the defaults of payments", "rule 3 of payments (.codetracer/trace-filter.toml:12)", ...
    let describe (origin: Origin) : string =
        match origin with
        | FileDefault f -> sprintf "the defaults of %s (%s)" f.Name f.Path
        | RuleOf(f, r) -> sprintf "rule %d of %s (%s)" r f.Name (where f r)
        | PatternOf(f, r, p) -> sprintf "value pattern %d of rule %d of %s (%s)" p r f.Name (where f r)

/// A value pattern, compiled.
type CompiledPattern =
    { Pattern: ValuePattern
      Matcher: Matcher
      Origin: Origin }

/// The `value_patterns` of one rule, compiled and split by value kind.
type PatternList =
    { /// The rule that has the list.
      Origin: Origin
      Patterns: ValuePattern list
      /// The compiled patterns of each kind, indexed by `ValueKind.index`, in list order.
      ByKind: CompiledPattern array array }

/// A rule, compiled.
type CompiledRule =
    { Rule: Rule
      Origin: Origin
      Matcher: Matcher
      Patterns: PatternList option }

/// A checked chain of filters, compiled for deciding: the defaults resolved once,
/// every rule of every file in chain order.
type FilterChain =
    { Files: FilterFile list
      DefaultExec: ExecDirective
      DefaultExecOrigin: Origin
      DefaultValueAction: ValueAction
      DefaultValueOrigin: Origin
      Rules: CompiledRule array }

/// Building a chain.
[<RequireQualifiedAccess>]
module FilterChain =

    let private startOfFile (file: FilterFile) : FilterLocation = { File = file.Source.Path; Line = 1; Column = 1 }

    let private at (file: FilterFile) (position: SourcePosition option) : FilterLocation =
        match position with
        | Some p -> { File = file.Source.Path; Line = p.Line; Column = p.Column }
        | None -> startOfFile file

    let private refOf (index: int) (file: FilterFile) : FilterRef =
        { Name = file.Meta.Name
          Path = file.Source.Path
          Index = index
          RulesAt = file.Source.RulesAt }

    /// The first file that sets the default must not say inherit; a later
    /// non-inherit default replaces it.
    let private resolveDefault
        (key: string)
        (get: FilterFile -> 'T option)
        (isInherit: 'T -> bool)
        (position: FilterFile -> SourcePosition option)
        (files: (FilterRef * FilterFile) list)
        : Result<'T * Origin, FilterError list> =
        let folder (state: Result<('T * Origin) option, FilterError list>) (ref: FilterRef, file: FilterFile) =
            match state, get file with
            | Error e, _ -> Error e
            | Ok current, None -> Ok current
            | Ok None, Some v when isInherit v -> Error [ InheritAtChainStart(at file (position file), key) ]
            | Ok current, Some v when isInherit v -> Ok current
            | Ok _, Some v -> Ok(Some(v, FileDefault ref))
        match List.fold folder (Ok None) files with
        | Error e -> Error e
        | Ok(Some v) -> Ok v
        | Ok None ->
            let location =
                match files with
                | (_, first) :: _ -> startOfFile first
                | [] -> { File = "<chain>"; Line = 1; Column = 1 }
            Error [ NoDefaultInChain(location, key) ]

    /// An absolute glob or literal `file:` pattern, made relative to the project root.
    let private relativize (projectRoot: string option) (location: FilterLocation) (selector: ScopeSelector) =
        if selector.Kind <> ScopeKind.File || selector.Match = MatchType.Regex || selector.Match = MatchType.Words || not (Paths.isAbsolute selector.Pattern) then
            Ok selector
        else
            match projectRoot with
            | None -> Error(AbsoluteFileWithoutRoot(location, selector.Pattern))
            | Some root ->
                let root = root.Replace('\\', '/').TrimEnd('/')
                let pattern = selector.Pattern.Replace('\\', '/')
                if pattern.StartsWith(root + "/", StringComparison.Ordinal) then
                    Ok { selector with Pattern = pattern.Substring(root.Length + 1) }
                else
                    Error(FileOutsideRoot(location, selector.Pattern, root))

    let private compilePatterns compile (location: FilterLocation) (ref: FilterRef) (rule: int) (patterns: ValuePattern list) =
        let compiled =
            patterns
            |> List.mapi (fun i p ->
                match compile p.Selector with
                | Ok m -> Ok { Pattern = p; Matcher = m; Origin = PatternOf(ref, rule, i + 1) }
                | Error e -> Error(BadSelector(location, "value_patterns.selector", Selector.valueToConfigString p.Selector, e)))
        match compiled |> List.choose (function Error e -> Some e | Ok _ -> None) with
        | [] ->
            let ok = compiled |> List.choose (function Ok c -> Some c | Error _ -> None)
            let byKind =
                ValueKind.all
                |> List.map (fun k -> ok |> List.filter (fun c -> c.Pattern.Selector.Kind = k) |> Array.ofList)
                |> Array.ofList
            Ok { Origin = RuleOf(ref, rule); Patterns = patterns; ByKind = byKind }
        | errors -> Error errors

    let private compileRule compileScope compileValue (projectRoot: string option) (ref: FilterRef) (file: FilterFile) (number: int) (ruleAt: SourcePosition option) (rule: Rule) =
        let location = at file ruleAt
        let origin = RuleOf(ref, number)
        let matcher =
            relativize projectRoot location rule.Selector
            |> Result.bind (fun s ->
                compileScope s
                |> Result.mapError (fun e -> BadSelector(location, "rules.selector", Selector.scopeToConfigString s, e)))
            |> Result.mapError List.singleton
        let patterns =
            match rule.ValuePatterns with
            | None -> Ok None
            | Some ps -> compilePatterns compileValue location ref number ps |> Result.map Some
        Validation.map2 (fun m ps -> { Rule = rule; Origin = origin; Matcher = m; Patterns = ps }) matcher patterns

    /// The chain of loaded files, in chain order (`builtin-default` first). Errors
    /// (all of them): `inherit` in the first file that sets a default, no file
    /// setting a default, an absolute `file:` pattern outside `projectRoot` (or
    /// with no root), a pattern that does not compile.
    let create (projectRoot: string option) (files: FilterFile list) : Result<FilterChain, FilterError list> =
        let refs = files |> List.mapi (fun i f -> refOf i f, f)
        let exec =
            resolveDefault
                "scope.default_exec"
                (fun f -> f.Scope.DefaultExec)
                (fun d -> d = ExecDirective.Inherit)
                (fun f -> f.Source.DefaultExecAt)
                refs
        let value =
            resolveDefault
                "scope.default_value_action"
                (fun f -> f.Scope.DefaultValueAction)
                (fun a -> a = ValueAction.Inherit)
                (fun f -> f.Source.DefaultValueActionAt)
                refs
        let compileScope = Selector.memoCompiler ()
        let compileValue = Selector.memoCompiler ()
        let rules =
            [ for ref, file in refs do
                  // Positions by index (an array: looking each up in the list made loading quadratic).
                  let positions = Array.ofList file.Source.RulesAt
                  let positionOf i = if i < positions.Length then Some positions.[i] else None
                  yield! file.Scope.Rules |> List.mapi (fun i r -> compileRule compileScope compileValue projectRoot ref file (i + 1) (positionOf i) r) ]
        let ruleErrors = rules |> List.collect (function Error e -> e | Ok _ -> [])
        match exec, value, ruleErrors with
        | Ok(exec, execOrigin), Ok(value, valueOrigin), [] ->
            Ok
                { Files = files
                  DefaultExec = exec
                  DefaultExecOrigin = execOrigin
                  DefaultValueAction = value
                  DefaultValueOrigin = valueOrigin
                  Rules = rules |> List.choose (function Ok r -> Some r | Error _ -> None) |> Array.ofList }
        | _ ->
            let errorsOf =
                function
                | Error e -> e
                | Ok _ -> []
            Error(errorsOf exec @ errorsOf value @ ruleErrors)
