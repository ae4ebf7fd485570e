namespace CodeTracer.Core.TraceFilter

open System
open System.Security.Cryptography
open System.Text
open CodeTracer.Core.Common

/// TOML text to a filter model: Tomlyn's syntax tree gives every error a line
/// and a column; all errors of a file are reported, not only the first.
[<RequireQualifiedAccess>]
module FilterLoader =

    let private locate (file: string) (at: SourcePosition) : FilterLocation =
        { File = file; Line = at.Line; Column = at.Column }

    let private typeName = TomlTree.typeName

    let private tryEntry = TomlTree.tryEntry

    // The tree to the model: every reader returns Ok or all of its errors, and
    // `validation { let! .. and! .. }` keeps the errors of every field.

    let private checkKeys file (tableName: string) (allowed: string list) (table: TomlTable) : Result<unit, FilterError list> =
        match
            [ for e in table.Entries do
                  if not (List.contains e.Key allowed) then
                      yield UnknownKey(locate file e.KeyAt, tableName, e.Key, allowed) ]
        with
        | [] -> Ok()
        | errors -> Error errors

    let private optional (key: string) (read: TomlItem -> Result<'a, FilterError list>) (table: TomlTable) : Result<'a option, FilterError list> =
        match tryEntry key table with
        | None -> Ok None
        | Some e -> read e.Item |> Result.map Some

    let private required file (tableName: string) (key: string) (read: TomlItem -> Result<'a, FilterError list>) (table: TomlTable) =
        match tryEntry key table with
        | None -> Error [ MissingKey(locate file table.At, tableName, key) ]
        | Some e -> read e.Item

    let private asString file (key: string) (item: TomlItem) : Result<string, FilterError list> =
        match item.Value with
        | VString s -> Ok s
        | v -> Error [ WrongType(locate file item.At, key, "a string", typeName v) ]

    let private asTable file (key: string) (item: TomlItem) : Result<TomlTable, FilterError list> =
        match item.Value with
        | VTable t -> Ok t
        | v -> Error [ WrongType(locate file item.At, key, "a table", typeName v) ]

    let private asArrayOf file (key: string) (what: string) (read: TomlItem -> Result<'a, FilterError list>) (item: TomlItem) =
        match item.Value with
        | VArray(items, _) -> Validation.traverse read items
        | v -> Error [ WrongType(locate file item.At, key, "an array of " + what, typeName v) ]

    let private asChoice file (key: string) (expected: string list) (parse: string -> 'a option) (item: TomlItem) =
        asString file key item
        |> Result.bind (fun s ->
            match parse s with
            | Some x -> Ok x
            | None -> Error [ BadChoice(locate file item.At, key, s, expected) ])

    let private asNonEmpty file (key: string) (item: TomlItem) : Result<string, FilterError list> =
        asString file key item
        |> Result.bind (fun s -> if String.IsNullOrWhiteSpace s then Error [ EmptyValue(locate file item.At, key) ] else Ok s)

    let private asVersion file (item: TomlItem) : Result<int, FilterError list> =
        match item.Value with
        | VInt 1L -> Ok 1
        | VInt v -> Error [ UnsupportedVersion(locate file item.At, v) ]
        | v -> Error [ WrongType(locate file item.At, "meta.version", "an integer", typeName v) ]

    /// A selector, its pattern compiled once per load (to report a bad regex).
    let private asSelector
        file
        (key: string)
        (parse: string -> Result<Selector<'K>, SelectorError>)
        (compile: Selector<'K> -> Result<Matcher, SelectorError>)
        (item: TomlItem)
        =
        asString file key item
        |> Result.bind (fun s ->
            match parse s |> Result.bind (fun selector -> compile selector |> Result.map (fun _ -> selector)) with
            | Ok selector -> Ok selector
            | Error e -> Error [ BadSelector(locate file item.At, key, s, e) ])

    let private actionWords = [ "allow"; "redact"; "drop"; "deny" ]

    let private parseSetAction (s: string) : ValueAction option =
        match ValueAction.tryParse s with
        | Some ValueAction.Inherit -> None
        | other -> other

    let private parseSetExec (s: string) : ExecDirective option =
        match ExecDirective.tryParse s with
        | Some ExecDirective.Inherit -> None
        | other -> other

    let private readMeta file (item: TomlItem) : Result<FilterMeta, FilterError list> =
        let name = "[meta]"
        asTable file "meta" item
        |> Result.bind (fun t ->
            validation {
                let! () = checkKeys file name [ "name"; "version"; "description"; "labels" ] t
                and! metaName = required file name "name" (asNonEmpty file "meta.name") t
                and! version = required file name "version" (asVersion file) t
                and! description = optional "description" (asString file "meta.description") t
                and! labels = optional "labels" (asArrayOf file "meta.labels" "strings" (asString file "an element of meta.labels")) t
                return
                    { Name = metaName
                      Version = version
                      Description = description
                      Labels = Option.defaultValue [] labels }
            })

    let private readPattern file compile (item: TomlItem) : Result<ValuePattern, FilterError list> =
        let name = "[[scope.rules.value_patterns]]"
        asTable file "an element of scope.rules.value_patterns" item
        |> Result.bind (fun t ->
            validation {
                let! () = checkKeys file name [ "selector"; "action" ] t
                and! selector = required file name "selector" (asSelector file "value_patterns.selector" Selector.parseValueSyntax compile) t
                and! action = required file name "action" (asChoice file "value_patterns.action" actionWords parseSetAction) t
                return { Selector = selector; Action = action }
            })

    let private readRule file compileScope compileValue (item: TomlItem) : Result<Rule * SourcePosition, FilterError list> =
        let name = "[[scope.rules]]"
        asTable file "an element of scope.rules" item
        |> Result.bind (fun t ->
            validation {
                let! () = checkKeys file name [ "selector"; "exec"; "value_default"; "reason"; "value_patterns" ] t
                and! selector = required file name "selector" (asSelector file "rules.selector" Selector.parseScopeSyntax compileScope) t
                and! exec = optional "exec" (asChoice file "rules.exec" [ "trace"; "skip" ] parseSetExec) t
                and! valueDefault = optional "value_default" (asChoice file "rules.value_default" actionWords parseSetAction) t
                and! reason = optional "reason" (asString file "rules.reason") t
                and! patterns = optional "value_patterns" (asArrayOf file "rules.value_patterns" "tables" (readPattern file compileValue)) t
                return
                    { Selector = selector
                      Exec = exec
                      ValueDefault = valueDefault
                      Reason = reason
                      ValuePatterns = patterns },
                    item.At
            })

    let private readScope file (item: TomlItem) =
        let name = "[scope]"
        asTable file "scope" item
        |> Result.bind (fun t ->
            let keyAt key = tryEntry key t |> Option.map (fun e -> e.KeyAt)
            validation {
                let! () = checkKeys file name [ "default_exec"; "default_value_action"; "rules" ] t
                and! defaultExec =
                    optional "default_exec" (asChoice file "scope.default_exec" [ "trace"; "skip"; "inherit" ] ExecDirective.tryParse) t
                and! defaultValue =
                    optional
                        "default_value_action"
                        (asChoice file "scope.default_value_action" [ "allow"; "redact"; "drop"; "inherit"; "deny" ] ValueAction.tryParse)
                        t
                and! rules = optional "rules" (asArrayOf file "scope.rules" "tables" (readRule file (Selector.memoCompiler ()) (Selector.memoValueCompiler ()))) t
                let rules = Option.defaultValue [] rules
                return
                    { DefaultExec = defaultExec
                      DefaultValueAction = defaultValue
                      Rules = List.map fst rules },
                    (keyAt "default_exec", keyAt "default_value_action", List.map snd rules)
            })

    let private readFile file (sha256: string) (root: TomlTable) : Result<FilterFile, FilterError list> =
        let noScope = { DefaultExec = None; DefaultValueAction = None; Rules = [] }, (None, None, [])
        validation {
            let! () = checkKeys file "" [ "meta"; "scope" ] root
            and! meta = required file "" "meta" (readMeta file) root
            and! scope = optional "scope" (readScope file) root
            let scope, (execAt, valueAt, rulesAt) = Option.defaultValue noScope scope
            return
                { Meta = meta
                  Scope = scope
                  Source =
                    { Path = file
                      Sha256 = sha256
                      DefaultExecAt = execAt
                      DefaultValueActionAt = valueAt
                      RulesAt = rulesAt } }
        }

    /// Lowercase hex SHA-256 of the text's UTF-8 bytes.
    let sha256Hex (text: string) : string =
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes text))

    /// A filter file from its text; `path` names it in errors and in the summary.
    /// Never throws: any text gives a model or every located error (line and column
    /// from 1), in text order.
    let load (path: string) (text: string) : Result<FilterFile, FilterError list> =
        let text = if obj.ReferenceEquals(text, null) then "" else text
        let path = if obj.ReferenceEquals(path, null) then "" else path
        TomlTree.parse path text
        |> Result.bind (readFile path (sha256Hex text))
        |> Result.mapError (List.sortBy (fun e -> let at = FilterError.location e in at.Line, at.Column))
