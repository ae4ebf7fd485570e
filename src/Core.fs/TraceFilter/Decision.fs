namespace CodeTracer.Core.TraceFilter

/// The names of one method that selectors are matched against.
type MethodContext =
    { /// The assembly's simple name (`asm:`).
      AssemblyName: string
      /// The namespace of the declaring type (`pkg:`).
      Namespace: string
      /// `Namespace.Type.Method`, nested types joined with `.` (`obj:`).
      QualifiedMethod: string
      /// The source path relative to the project root, `/` separators (`file:`); None matches no `file:` selector.
      RelativeFile: string option }

/// What the chain decided for one method, with where each part comes from.
type MethodPolicy =
    { /// Trace or Skip.
      Exec: ExecDirective
      ExecOrigin: Origin
      /// Allow, Redact or Drop: the action of a value no pattern speaks of.
      ValueDefault: ValueAction
      ValueDefaultOrigin: Origin
      /// The value patterns in force: those of the last matching rule that has a list.
      Patterns: PatternList option
      /// The lists of earlier matching rules that `Patterns` replaced, in chain order
      /// (so `explain` can say that a rule replaced the built-in secret patterns).
      ReplacedPatterns: Origin list }

/// The decision engine: the chain's precedence rules, as pure functions.
[<RequireQualifiedAccess>]
module Decision =

    /// The name a selector of this kind is matched against (null: none; no allocation per rule).
    let nameFor (context: MethodContext) (kind: ScopeKind) : string | null =
        match kind with
        | ScopeKind.Asm -> context.AssemblyName
        | ScopeKind.Pkg -> context.Namespace
        | ScopeKind.Obj -> context.QualifiedMethod
        | ScopeKind.File ->
            match context.RelativeFile with
            | Some file -> file
            | None -> null

    /// True when the rule's selector matches the method.
    let ruleMatches (context: MethodContext) (rule: CompiledRule) : bool =
        match nameFor context rule.Rule.Selector.Kind with
        | null -> false
        | name -> Matcher.isMatch rule.Matcher name

    /// The method's policy: the chain's defaults, then every matching rule in
    /// chain order; the last one that sets exec (value_default, value_patterns) wins.
    let decide (chain: FilterChain) (context: MethodContext) : MethodPolicy =
        let mutable exec = chain.DefaultExec
        let mutable execOrigin = chain.DefaultExecOrigin
        let mutable value = chain.DefaultValueAction
        let mutable valueOrigin = chain.DefaultValueOrigin
        let mutable patterns: PatternList option = None
        let mutable replaced: Origin list = []
        for rule in chain.Rules do
            if ruleMatches context rule then
                match rule.Rule.Exec with
                | Some ExecDirective.Trace
                | Some ExecDirective.Skip ->
                    exec <- rule.Rule.Exec.Value
                    execOrigin <- rule.Origin
                | Some ExecDirective.Inherit
                | None -> ()
                match rule.Rule.ValueDefault with
                | Some ValueAction.Allow
                | Some ValueAction.Redact
                | Some ValueAction.Drop ->
                    value <- rule.Rule.ValueDefault.Value
                    valueOrigin <- rule.Origin
                | Some ValueAction.Inherit
                | None -> ()
                match rule.Patterns with
                | Some list ->
                    match patterns with
                    | Some earlier -> replaced <- earlier.Origin :: replaced
                    | None -> ()
                    patterns <- Some list
                | None -> ()
        { Exec = exec
          ExecOrigin = execOrigin
          ValueDefault = value
          ValueDefaultOrigin = valueOrigin
          Patterns = patterns
          ReplacedPatterns = List.rev replaced }

    /// The action on one value of the method and where it comes from: the first
    /// pattern of the value's kind that matches it (`Matcher.isValueMatch`), otherwise
    /// the value default.
    let decideSubject (policy: MethodPolicy) (kind: ValueKind) (subject: ValueSubject) : ValueAction * Origin =
        let fallback = policy.ValueDefault, policy.ValueDefaultOrigin
        match policy.Patterns with
        | None -> fallback
        | Some list ->
            let candidates = list.ByKind.[ValueKind.index kind]
            let mutable result = fallback
            let mutable i = 0
            while i < candidates.Length do
                let c = candidates.[i]
                if Matcher.isValueMatch c.Matcher subject then
                    if c.Pattern.Action <> ValueAction.Inherit then
                        result <- c.Pattern.Action, c.Origin
                    i <- candidates.Length
                else
                    i <- i + 1
            result

    /// `decideSubject` for a value judged by its own name, of a type that is not text.
    let decideValue (policy: MethodPolicy) (kind: ValueKind) (name: string) : ValueAction * Origin =
        decideSubject policy kind (ValueSubject.ofName name)

    /// The patterns in force, each with its origin, in the order they are tried.
    let effectivePatterns (policy: MethodPolicy) : (ValuePattern * Origin) list =
        match policy.Patterns with
        | None -> []
        | Some list ->
            match list.Origin with
            | RuleOf(file, rule) -> list.Patterns |> List.mapi (fun i p -> p, PatternOf(file, rule, i + 1))
            | origin -> list.Patterns |> List.map (fun p -> p, origin)
