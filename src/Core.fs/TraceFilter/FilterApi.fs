namespace CodeTracer.Core.TraceFilter


/// One filter file's text, as the shell read it.
type FilterText =
    { /// The path shown in errors and in the metadata.
      Path: string
      Text: string }

/// The C# surface of the filter engine (the shell's instrumenter and CLI):
/// arrays and nulls instead of lists and options, no currying.
[<AbstractClass; Sealed>]
type FilterApi =
    /// The chain `builtins @ files`, or every located error rendered as `file:line:column: message`.
    static member BuildChain(projectRoot: string | null, builtins: BuiltinFilter array, files: FilterText array) : Result<FilterChain, string array> =
        let loaded =
            [ for b in builtins -> Builtins.load b
              for f in files -> FilterLoader.load f.Path f.Text ]
        let errors = loaded |> List.collect (function Error e -> e | Ok _ -> [])
        if not errors.IsEmpty then
            Error(errors |> List.map FilterError.render |> Array.ofList)
        else
            let root = match projectRoot with null -> None | r -> Some r
            match FilterChain.create root (loaded |> List.choose (function Ok f -> Some f | Error _ -> None)) with
            | Ok chain -> Ok chain
            | Error e -> Error(e |> List.map FilterError.render |> Array.ofList)

    /// The decision for one method; `relativeFile` null matches no `file:` selector.
    static member Decide(chain: FilterChain, assembly: string, ns: string, qualifiedMethod: string, relativeFile: string | null) : MethodPolicy =
        Decision.decide
            chain
            { AssemblyName = assembly
              Namespace = ns
              QualifiedMethod = qualifiedMethod
              RelativeFile = match relativeFile with null -> None | f -> Some f }

    /// Whether the method gets probes.
    static member IsTraced(policy: MethodPolicy) : bool = policy.Exec = ExecDirective.Trace

    /// Allow, Redact or Drop for one value of the method.
    static member ValueActionOf(policy: MethodPolicy, kind: ValueKind, subject: ValueSubject) : ValueAction =
        fst (Decision.decideSubject policy kind subject)

    /// Whether values of a type are text (for the `(text)` alternatives of `words` patterns).
    static member IsText(shape: TypeShape) : bool = TextTypes.isText shape

    /// An `--activation` selector (`obj:App.Worker.Run`, `file:src/Job.cs`, ...) compiled, or what is wrong with it.
    static member ParseActivation(text: string) : Result<ScopeSelector * Matcher, string> =
        match Selector.parseScope text with
        | Error e -> Error(sprintf "--activation %s: %s" text (SelectorError.describe e))
        | Ok selector ->
            match Selector.compile selector with
            | Ok matcher -> Ok(selector, matcher)
            | Error e -> Error(sprintf "--activation %s: %s" text (SelectorError.describe e))

    /// Whether a method matches an `--activation` selector.
    static member Activates(activation: ScopeSelector * Matcher, assembly: string, ns: string, qualifiedMethod: string, relativeFile: string | null) : bool =
        let selector, matcher = activation
        let context =
            { AssemblyName = assembly
              Namespace = ns
              QualifiedMethod = qualifiedMethod
              RelativeFile = match relativeFile with null -> None | f -> Some f }
        match Decision.nameFor context selector.Kind with
        | null -> false
        | name -> Matcher.isMatch matcher name

    /// For `filters explain`: "traced"/"skipped" and the origin of that decision.
    static member ExplainExec(policy: MethodPolicy) : string * string =
        (if policy.Exec = ExecDirective.Trace then "traced" else "skipped"), Origin.describe policy.ExecOrigin

    /// For `filters explain`: the value patterns in force and the earlier lists they replaced.
    static member ExplainPatterns(policy: MethodPolicy) : string * string array =
        let inForce =
            match policy.Patterns with
            | Some list -> Origin.describe list.Origin
            | None -> "none"
        inForce, policy.ReplacedPatterns |> List.map Origin.describe |> Array.ofList

    /// For `filters explain`: a value's action and what decided it.
    static member ExplainValue(policy: MethodPolicy, kind: ValueKind, subject: ValueSubject) : string * string =
        let action, origin = Decision.decideSubject policy kind subject
        ValueAction.toConfigString action, Origin.describe origin
