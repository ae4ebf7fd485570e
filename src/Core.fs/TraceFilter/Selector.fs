namespace CodeTracer.Core.TraceFilter

open System
open System.Collections.Generic
open System.Text.RegularExpressions

/// Why a selector text is not a selector.
type SelectorError =
    /// Nothing was written.
    | EmptySelector
    /// No `:` separates a kind from a pattern.
    | MissingKind of text: string
    /// The part before the first `:` is no kind of this place.
    | UnknownKind of kind: string * expected: string list
    /// A second `:` follows something that is not `glob`, `regex`, `literal` or `words`.
    | UnknownMatchType of matchType: string
    /// Nothing follows the kind (and match type).
    | EmptyPattern
    /// The regular expression does not parse or is not supported by the non-backtracking engine.
    | BadRegex of pattern: string * reason: string
    /// A field pattern whose regex the runtime inside the program could not build (the
    /// non-backtracking engine's size limit): it would detach the recording.
    | TooLargeForRuntime of pattern: string * reason: string
    /// A `words` pattern with an alternative that is not words (see `WordPattern.parse`).
    | BadWords of pattern: string * reason: string

/// Messages for selector errors.
[<RequireQualifiedAccess>]
module SelectorError =
    /// What went wrong and what was expected, in one sentence without a location.
    let describe (e: SelectorError) : string =
        match e with
        | EmptySelector -> "empty selector (expected kind:[match:]pattern)"
        | MissingKind text -> sprintf "selector \"%s\" has no kind (expected kind:[match:]pattern)" text
        | UnknownKind(kind, expected) ->
            sprintf "unknown selector kind \"%s\" (expected %s)" kind (String.Join(", ", expected))
        | UnknownMatchType m ->
            sprintf
                "unknown match type \"%s\" (expected glob, regex, literal or words; a pattern containing ':' needs an explicit match type)"
                m
        | EmptyPattern -> "selector has an empty pattern"
        | BadRegex(pattern, reason) -> sprintf "bad regular expression \"%s\": %s" pattern reason
        | TooLargeForRuntime(pattern, reason) ->
            sprintf "field pattern \"%s\" is too large for the recorder's runtime, which matches fields with it: %s" pattern reason
        | BadWords(pattern, reason) -> sprintf "bad words pattern \"%s\": %s" pattern reason

/// One element of a compiled glob.
[<Struct>]
type GlobToken =
    /// This character.
    | GChar of c: char
    /// `?`: any one character.
    | GOne
    /// `*`: any run of characters without `/`.
    | GStar
    /// `**`: any run of characters.
    | GDoubleStar

/// Building regexes on the non-backtracking engine, which takes milliseconds and a megabyte
/// of allocation per pattern (its character classes and DFA tables): a filter of many
/// distinct regexes would load in minutes. A pattern is checked exactly but cheaply where
/// that is provable, and its regex is built when it is first matched.
[<RequireQualifiedAccess>]
module NonBacktracking =

    /// The options the shell matches regexes with, and the runtime field patterns (`Runtime/FieldPolicies.cs`
    /// mirrors them: the runtime depends on nothing).
    let options = RegexOptions.NonBacktracking ||| RegexOptions.CultureInvariant

    /// The engine's limit on its estimate of an anchored pattern's size: 5 × (1 + its
    /// singletons) (`SymbolicRegexNode.EstimateNfaSize`; `SymbolicRegexThresholds`, 10,000).
    let private singletonBudget = 10_000 / 5 - 1

    /// The pattern anchored to match a whole name, as the shell and the runtime build it.
    let anchored (body: string) : string = @"\A(?:" + body + @")\z"

    /// Whether the engine certainly builds `anchored pattern`, where the default engine parsed `pattern`:
    /// every construct it refuses (lookarounds, atomic groups, conditionals, balancing
    /// groups, inline options) starts with `(?`, or is a backreference or `\G` (a backslash
    /// before a digit, `k` or `G`); and without a counted repetition (`{`), a pattern has at
    /// most one singleton per character, doubled by each `+` (a loop with a lower bound of 1
    /// counts its body twice), so it stays under the size limit when that bound does. Any
    /// other pattern is built to find out (`build`).
    let isCertain (pattern: string) : bool =
        let mutable ok = pattern.IndexOf("(?", StringComparison.Ordinal) < 0 && pattern.IndexOf '{' < 0
        let mutable plus = 0
        let mutable i = 0
        while ok && i < pattern.Length do
            match pattern.[i] with
            | '\\' when i + 1 < pattern.Length ->
                let next = pattern.[i + 1]
                if Char.IsDigit next || next = 'k' || next = 'G' then ok <- false
                if next = '+' then plus <- plus + 1
                i <- i + 2
            | '+' ->
                plus <- plus + 1
                i <- i + 1
            | _ -> i <- i + 1
        ok && plus < 20 && int64 pattern.Length <<< plus <= int64 singletonBudget

    /// The regex, built now: the engine's error message if it refuses the pattern.
    /// Regex has no TryCreate: its constructor's exceptions are turned into an error here.
    let build (pattern: string) : Result<Regex, string> =
        try
            Ok(Regex(pattern, options))
        with e ->
            Error e.Message

/// A selector's pattern compiled once, to be matched against many names.
type Matcher =
    private
    | Exact of string
    | Prefix of prefix: string * crossSlash: bool
    | Suffix of suffix: string * crossSlash: bool
    | GlobTokens of GlobToken array
    /// A non-backtracking regex, built when first matched (see `NonBacktracking`).
    | Pattern of Lazy<Regex>
    | WordsOf of WordPattern

/// A value as value selectors see it.
[<Struct>]
type ValueSubject =
    { /// What glob, regex and literal patterns match: the variable's name, `Namespace.Type.Method` of a return.
      Name: string
      /// What `words` patterns judge: the name a person reads for the value (a setter's
      /// `value`: its property's; a return value: its method's own, never its type or namespace).
      Judged: string
      /// The value's type is text (`TextTypes.isText`).
      IsText: bool }

/// Making subjects.
[<RequireQualifiedAccess>]
module ValueSubject =
    /// A value judged by its own name, of a type that is not text.
    let ofName (name: string) : ValueSubject = { Name = name; Judged = name; IsText = false }

/// Matching a compiled pattern.
[<RequireQualifiedAccess>]
module Matcher =

    let private globMatch (tokens: GlobToken array) (name: string) : bool =
        // A set-of-states simulation: linear in the name for a fixed pattern, no backtracking.
        let m = tokens.Length
        let closeOver (states: bool array) =
            for i in 0 .. m - 1 do
                if states.[i] then
                    match tokens.[i] with
                    | GStar
                    | GDoubleStar -> states.[i + 1] <- true
                    | _ -> ()
        let mutable current = Array.zeroCreate<bool> (m + 1)
        let mutable next = Array.zeroCreate<bool> (m + 1)
        current.[0] <- true
        closeOver current
        let mutable alive = true
        let mutable k = 0
        while alive && k < name.Length do
            let c = name.[k]
            Array.Clear next
            alive <- false
            for i in 0 .. m - 1 do
                if current.[i] then
                    match tokens.[i] with
                    | GChar x ->
                        if x = c then
                            next.[i + 1] <- true
                            alive <- true
                    | GOne ->
                        next.[i + 1] <- true
                        alive <- true
                    | GStar ->
                        if c <> '/' then
                            next.[i] <- true
                            alive <- true
                    | GDoubleStar ->
                        next.[i] <- true
                        alive <- true
            closeOver next
            let t = current
            current <- next
            next <- t
            k <- k + 1
        alive && current.[m]

    /// True when the name matches the whole pattern.
    let isMatch (matcher: Matcher) (name: string) : bool =
        match matcher with
        | Exact s -> String.Equals(s, name, StringComparison.Ordinal)
        | Prefix(p, cross) ->
            name.StartsWith(p, StringComparison.Ordinal)
            && (cross || name.IndexOf('/', p.Length) < 0)
        | Suffix(s, cross) ->
            name.EndsWith(s, StringComparison.Ordinal)
            && (cross || name.AsSpan(0, name.Length - s.Length).IndexOf('/') < 0)
        | GlobTokens tokens -> globMatch tokens name
        | Pattern regex -> regex.Value.IsMatch name
        | WordsOf words -> WordPattern.matches words false name

    /// True when the value matches: a `words` pattern judges its judged name and type,
    /// the others match its name.
    let isValueMatch (matcher: Matcher) (subject: ValueSubject) : bool =
        match matcher with
        | WordsOf words -> WordPattern.matches words subject.IsText subject.Judged
        | _ -> isMatch matcher subject.Name

    /// The tokens of a glob pattern (a run of two or more `*` is one `**`).
    let globTokens (pattern: string) : GlobToken array =
        let tokens = ResizeArray<GlobToken>()
        let mutable i = 0
        while i < pattern.Length do
            match pattern.[i] with
            | '*' ->
                let mutable j = i
                while j < pattern.Length && pattern.[j] = '*' do
                    j <- j + 1
                tokens.Add(if j - i >= 2 then GDoubleStar else GStar)
                i <- j
            | '?' ->
                tokens.Add GOne
                i <- i + 1
            | c ->
                tokens.Add(GChar c)
                i <- i + 1
        tokens.ToArray()

    let private literalText (tokens: GlobToken array) : string option =
        if tokens |> Array.forall (function GChar _ -> true | _ -> false) then
            Some(String(tokens |> Array.map (function GChar c -> c | _ -> ' ')))
        else
            None

    /// A glob, with fast paths for `abc`, `abc*`, `abc**`, `*abc` and `**abc`.
    let ofGlob (pattern: string) : Matcher =
        let tokens = globTokens pattern
        let n = tokens.Length
        let isStar t = (t = GStar || t = GDoubleStar)
        match literalText tokens with
        | Some s -> Exact s
        | None ->
            let last = if n > 0 then Some tokens.[n - 1] else None
            let first = if n > 0 then Some tokens.[0] else None
            match last, first with
            | Some l, _ when isStar l && (literalText tokens.[.. n - 2]).IsSome ->
                Prefix((literalText tokens.[.. n - 2]).Value, (l = GDoubleStar))
            | _, Some f when isStar f && (literalText tokens.[1..]).IsSome ->
                Suffix((literalText tokens.[1..]).Value, (f = GDoubleStar))
            | _ -> GlobTokens tokens

    /// A regular expression that must match the whole name, on the non-backtracking engine.
    let ofRegex (pattern: string) : Result<Matcher, SelectorError> =
        // Regex has no TryCreate: its constructor's exceptions are turned into an error here.
        // Parsed alone first (cheaply, on the default engine, whose parser is the engines'
        // common one), so that the anchoring group below cannot change its meaning.
        let parsed =
            try
                Regex(pattern, RegexOptions.CultureInvariant) |> ignore
                Ok()
            with e ->
                Error(BadRegex(pattern, e.Message))
        let anchored = NonBacktracking.anchored pattern
        match parsed with
        | Error e -> Error e
        | Ok() when NonBacktracking.isCertain pattern -> Ok(Pattern(lazy (Regex(anchored, NonBacktracking.options))))
        | Ok() ->
            match NonBacktracking.build anchored with
            | Ok regex -> Ok(Pattern(lazy regex))
            | Error reason -> Error(BadRegex(pattern, reason))

    /// The exact name.
    let ofLiteral (name: string) : Matcher = Exact name

    /// A `words` pattern.
    let ofWords (pattern: string) : Result<Matcher, SelectorError> =
        WordPattern.parse pattern |> Result.map WordsOf |> Result.mapError (fun reason -> BadWords(pattern, reason))

/// Parsing, printing and compiling selectors.
[<RequireQualifiedAccess>]
module Selector =

    let private compilePattern (matchType: MatchType) (pattern: string) : Result<Matcher, SelectorError> =
        match matchType with
        | MatchType.Glob -> Ok(Matcher.ofGlob pattern)
        | MatchType.Literal -> Ok(Matcher.ofLiteral pattern)
        | MatchType.Regex -> Matcher.ofRegex pattern
        | MatchType.Words -> Matcher.ofWords pattern

    /// The pattern as a .NET regular expression meaning the same, before anchoring.
    let private regexBody (matchType: MatchType) (pattern: string) : string =
            match matchType with
            | MatchType.Regex -> pattern
            | MatchType.Words -> invalidArg (nameof matchType) "a words pattern has no regex"
            | MatchType.Literal -> Regex.Escape pattern
            | MatchType.Glob ->
                Matcher.globTokens pattern
                |> Array.map (function
                    | GStar -> "[^/]*"
                    | GDoubleStar -> @"[\s\S]*"
                    | GOne -> @"[\s\S]"
                    | GChar c -> Regex.Escape(string c))
                |> String.concat ""

    /// The pattern as an anchored .NET regular expression meaning the same, for the
    /// runtime inside the program, which matches field names without the core (a
    /// `words` pattern, which no regex of the non-backtracking engine can mean, is
    /// passed as it is: the runtime mirrors `WordPattern`).
    let regexText (matchType: MatchType) (pattern: string) : string =
        NonBacktracking.anchored (regexBody matchType pattern)

    /// The options the runtime builds a field pattern's regex with (`Runtime/FieldPolicies.cs`
    /// mirrors them: the runtime depends on nothing).
    let runtimeRegexOptions = NonBacktracking.options

    /// A field pattern's regex checked as the runtime will build it, so that a pattern the
    /// runtime cannot use is refused where the filter is loaded, not inside the program:
    /// built with the runtime's engine and options unless the engine certainly builds it
    /// (`NonBacktracking.isCertain`). Other kinds are matched by the shell only, and `words`
    /// patterns are not regexes.
    let checkForRuntime (selector: ValueSelector) : Result<unit, SelectorError> =
        // Words patterns reach the runtime as words, not as a regex (FieldPolicy.Words).
        if selector.Kind <> ValueKind.Field || selector.Match = MatchType.Words then
            Ok()
        else
            let body = regexBody selector.Match selector.Pattern
            if NonBacktracking.isCertain body then
                Ok()
            else
                NonBacktracking.build (NonBacktracking.anchored body)
                |> Result.map ignore
                |> Result.mapError (fun reason -> TooLargeForRuntime(selector.Pattern, reason))

    /// The matcher of a selector's pattern (a bad regex is an error).
    let compile (selector: Selector<'Kind>) : Result<Matcher, SelectorError> =
        compilePattern selector.Match selector.Pattern

    /// A compile function that builds each distinct pattern once, for one load or one
    /// chain (a non-backtracking regex takes milliseconds to build; the built-in secret
    /// pattern is the same for the four value kinds).
    let memoCompiler () : Selector<'Kind> -> Result<Matcher, SelectorError> =
        let cache = Dictionary<struct (MatchType * string), Result<Matcher, SelectorError>>()
        fun selector ->
            let key = struct (selector.Match, selector.Pattern)
            match cache.TryGetValue key with
            | true, result -> result
            | _ ->
                let result = compilePattern selector.Match selector.Pattern
                cache.[key] <- result
                result

    /// A compile function for value selectors that builds each distinct pattern once and
    /// checks each field pattern as the runtime will build it (`checkForRuntime`), once too.
    let memoValueCompiler () : ValueSelector -> Result<Matcher, SelectorError> =
        let compile = memoCompiler ()
        let checkedFields = Dictionary<struct (MatchType * string), Result<unit, SelectorError>>()
        fun selector ->
            compile selector
            |> Result.bind (fun matcher ->
                if selector.Kind <> ValueKind.Field then
                    Ok matcher
                else
                    let key = struct (selector.Match, selector.Pattern)
                    let verdict =
                        match checkedFields.TryGetValue key with
                        | true, v -> v
                        | _ ->
                            let v = checkForRuntime selector
                            checkedFields.[key] <- v
                            v
                    verdict |> Result.map (fun () -> matcher))

    let private parseWith
        (tryKind: string -> 'Kind option)
        (kinds: string list)
        (text: string)
        : Result<Selector<'Kind>, SelectorError> =
        if String.IsNullOrEmpty text then
            Error EmptySelector
        else
            match text.IndexOf ':' with
            | -1 -> Error(MissingKind text)
            | first ->
                let kindText = text.Substring(0, first)
                let rest = text.Substring(first + 1)
                match tryKind kindText with
                | None -> Error(UnknownKind(kindText, kinds))
                | Some kind ->
                    let matchAndPattern =
                        match rest.IndexOf ':' with
                        | -1 -> Ok(MatchType.Glob, rest)
                        | second ->
                            let m = rest.Substring(0, second)
                            match MatchType.tryParse m with
                            | Some matchType -> Ok(matchType, rest.Substring(second + 1))
                            | None -> Error(UnknownMatchType m)
                    match matchAndPattern with
                    | Error e -> Error e
                    | Ok(_, "") -> Error EmptyPattern
                    | Ok(matchType, pattern) -> Ok { Kind = kind; Match = matchType; Pattern = pattern }

    /// `asm|pkg|obj|file:[glob|regex|literal|words:]pattern`, without compiling the pattern.
    let parseScopeSyntax (text: string) : Result<ScopeSelector, SelectorError> =
        parseWith ScopeKind.tryParse (ScopeKind.all |> List.map ScopeKind.toConfigString) text

    /// `arg|local|ret|field|attr:[glob|regex|literal|words:]pattern`, without compiling the pattern.
    let parseValueSyntax (text: string) : Result<ValueSelector, SelectorError> =
        parseWith ValueKind.tryParse (ValueKind.all |> List.map ValueKind.toConfigString) text

    let private compiledOnce (selector: Result<Selector<'Kind>, SelectorError>) =
        selector |> Result.bind (fun s -> compile s |> Result.map (fun _ -> s))

    /// `asm|pkg|obj|file:[glob|regex|literal|words:]pattern`; a regex or words pattern is checked here.
    let parseScope (text: string) : Result<ScopeSelector, SelectorError> = compiledOnce (parseScopeSyntax text)

    /// `arg|local|ret|field|attr:[glob|regex|literal|words:]pattern`; a regex or words pattern is checked here.
    let parseValue (text: string) : Result<ValueSelector, SelectorError> = compiledOnce (parseValueSyntax text)

    let private print (kindText: string) (selector: Selector<'Kind>) : string =
        if selector.Match = MatchType.Glob && not (selector.Pattern.Contains ':') then
            kindText + ":" + selector.Pattern
        else
            kindText + ":" + MatchType.toConfigString selector.Match + ":" + selector.Pattern

    /// The selector as a filter file writes it (`kind:pattern` for a glob without `:`).
    let scopeToConfigString (selector: ScopeSelector) : string =
        print (ScopeKind.toConfigString selector.Kind) selector

    /// The selector as a filter file writes it (`kind:pattern` for a glob without `:`).
    let valueToConfigString (selector: ValueSelector) : string =
        print (ValueKind.toConfigString selector.Kind) selector
