namespace CodeTracer.Core.TraceFilter

/// The filters the recorder brings along.
[<RequireQualifiedAccess>]
type BuiltinFilter =
    /// `builtin-default`: skips the platform, redacts secret-looking names; always first.
    | Default
    /// `builtin-xunit`: skips xUnit and the test platform.
    | Xunit
    /// `builtin-nunit`: skips NUnit and the test platform.
    | Nunit
    /// `builtin-mstest`: skips MSTest and the test platform.
    | Mstest

/// The built-in filters, written in the filter language and read by `FilterLoader`.
[<RequireQualifiedAccess>]
module Builtins =
    /// The path built-in filters report in errors and in the summary.
    [<Literal>]
    let Path = "<builtin>"

    /// Value names the default filter redacts (matched whole and case-insensitively).
    [<Literal>]
    let SecretPattern =
        ".*(pass(word)?|passwd|pwd|secret|token|session|cookie|auth|credential|creds|bearer|ssn|credit|card|iban|cvv|cvc|pan|api[_-]?key|private[_-]?key|secret[_-]?key|ssh[_-]?key|jwt|refresh[_-]?token|access[_-]?token).*"

    let private secretPatterns =
        [ "arg"; "local"; "ret"; "field" ]
        |> List.map (fun kind ->
            sprintf "[[scope.rules.value_patterns]]\nselector = '%s:regex:(?i)%s'\naction = \"redact\"\n" kind SecretPattern)
        |> String.concat ""

    let private skipRules (reason: string) (selectors: string list) =
        selectors
        |> List.map (fun s -> sprintf "\n[[scope.rules]]\nselector = \"%s\"\nexec = \"skip\"\nreason = \"%s\"\n" s reason)
        |> String.concat ""

    let private defaultText =
        "[meta]\n"
        + "name = \"builtin-default\"\n"
        + "version = 1\n"
        + "description = \"Skips the .NET platform and the recorder; redacts values whose names look secret.\"\n"
        + "\n[scope]\n"
        + "default_exec = \"trace\"\n"
        + "default_value_action = \"allow\"\n"
        + "\n[[scope.rules]]\n"
        + "selector = \"asm:**\"\n"
        + "reason = \"values whose names look secret are redacted\"\n"
        + secretPatterns
        + skipRules
            "the .NET platform"
            [ "asm:System"; "asm:System.*"; "asm:Microsoft.*"; "asm:netstandard"; "asm:mscorlib"; "asm:FSharp.Core" ]
        + skipRules "the recorder itself" [ "asm:CodeTracer.*" ]

    let private testPlatform =
        [ "asm:Microsoft.VisualStudio.TestPlatform.*"
          "asm:Microsoft.TestPlatform.*"
          "asm:Microsoft.Testing.*"
          "asm:testhost*" ]

    let private frameworkText (name: string) (framework: string) (selectors: string list) =
        "[meta]\n"
        + sprintf "name = \"%s\"\n" name
        + "version = 1\n"
        + sprintf "description = \"Skips %s and its runner; keeps the test assemblies.\"\n" framework
        + "\n[scope]\n"
        + "default_exec = \"inherit\"\n"
        + "default_value_action = \"inherit\"\n"
        + skipRules (framework + " and its runner") (selectors @ testPlatform)

    /// The filter's name (`builtin-default`, ...).
    let name (filter: BuiltinFilter) : string =
        match filter with
        | BuiltinFilter.Default -> "builtin-default"
        | BuiltinFilter.Xunit -> "builtin-xunit"
        | BuiltinFilter.Nunit -> "builtin-nunit"
        | BuiltinFilter.Mstest -> "builtin-mstest"

    /// The filter's TOML text.
    let text (filter: BuiltinFilter) : string =
        match filter with
        | BuiltinFilter.Default -> defaultText
        | BuiltinFilter.Xunit -> frameworkText "builtin-xunit" "xUnit" [ "asm:xunit"; "asm:xunit.*" ]
        | BuiltinFilter.Nunit -> frameworkText "builtin-nunit" "NUnit" [ "asm:NUnit*"; "asm:nunit.*" ]
        | BuiltinFilter.Mstest ->
            frameworkText "builtin-mstest" "MSTest" [ "asm:MSTest.*" ]

    /// Every built-in filter.
    let all = [ BuiltinFilter.Default; BuiltinFilter.Xunit; BuiltinFilter.Nunit; BuiltinFilter.Mstest ]

    /// The built-in filter called `name`, if there is one.
    let tryFind (filterName: string) : BuiltinFilter option =
        all |> List.tryFind (fun f -> name f = filterName)

    /// The built-in filter, loaded (path `<builtin>`).
    let load (filter: BuiltinFilter) : Result<FilterFile, FilterError list> = FilterLoader.load Path (text filter)

    /// The built-in filter, loaded; a built-in that does not load is a bug of the recorder
    /// (the Core tests load every one), reported by an exception.
    let get (filter: BuiltinFilter) : FilterFile =
        match load filter with
        | Ok file -> file
        | Error errors ->
            invalidOp (
                sprintf "built-in filter %s does not load: %s" (name filter) (errors |> List.map FilterError.render |> String.concat "; ")
            )
