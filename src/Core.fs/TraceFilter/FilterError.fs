namespace CodeTracer.Core.TraceFilter

open System

/// A place in a filter file: its path, a line and a column (both from 1).
type FilterLocation = { File: string; Line: int; Column: int }

/// Everything that can be wrong with a filter file or a chain of them.
type FilterError =
    /// The text is not TOML.
    | TomlSyntax of at: FilterLocation * message: string
    /// A table or key the language does not have.
    | UnknownKey of at: FilterLocation * table: string * key: string * expected: string list
    /// A required key or table is absent.
    | MissingKey of at: FilterLocation * table: string * key: string
    /// A value of the wrong TOML type (`expected` and `found` read "a string", "an integer"...).
    | WrongType of at: FilterLocation * key: string * expected: string * found: string
    /// A string that is none of the words allowed here.
    | BadChoice of at: FilterLocation * key: string * value: string * expected: string list
    /// A string that must not be empty is.
    | EmptyValue of at: FilterLocation * key: string
    /// `meta.version` is not 1.
    | UnsupportedVersion of at: FilterLocation * version: int64
    /// A selector that does not parse.
    | BadSelector of at: FilterLocation * key: string * text: string * error: SelectorError
    /// The first file of a chain that sets a default says `inherit`.
    | InheritAtChainStart of at: FilterLocation * key: string
    /// No file of a chain sets a default.
    | NoDefaultInChain of at: FilterLocation * key: string
    /// An absolute `file:` pattern outside the project root.
    | FileOutsideRoot of at: FilterLocation * pattern: string * root: string
    /// An absolute `file:` pattern where no project root is known.
    | AbsoluteFileWithoutRoot of at: FilterLocation * pattern: string

/// Locating and rendering filter errors.
[<RequireQualifiedAccess>]
module FilterError =
    /// Where the error is.
    let location (e: FilterError) : FilterLocation =
        match e with
        | TomlSyntax(at, _)
        | UnknownKey(at, _, _, _)
        | MissingKey(at, _, _)
        | WrongType(at, _, _, _)
        | BadChoice(at, _, _, _)
        | EmptyValue(at, _)
        | UnsupportedVersion(at, _)
        | BadSelector(at, _, _, _)
        | InheritAtChainStart(at, _)
        | NoDefaultInChain(at, _)
        | FileOutsideRoot(at, _, _)
        | AbsoluteFileWithoutRoot(at, _) -> at

    let private words (expected: string list) = String.Join(", ", expected)

    /// What is wrong and what was expected, without the location.
    let message (e: FilterError) : string =
        match e with
        | TomlSyntax(_, m) -> "TOML syntax: " + m
        | UnknownKey(_, "", key, expected) -> sprintf "unknown table or key \"%s\" (expected %s)" key (words expected)
        | UnknownKey(_, table, key, expected) ->
            sprintf "unknown key \"%s\" in %s (expected %s)" key table (words expected)
        | MissingKey(_, "", key) -> sprintf "missing table [%s]" key
        | MissingKey(_, table, key) -> sprintf "missing key \"%s\" in %s" key table
        | WrongType(_, key, expected, found) -> sprintf "%s must be %s, not %s" key expected found
        | BadChoice(_, key, value, expected) -> sprintf "%s = \"%s\" is not allowed (expected %s)" key value (words expected)
        | EmptyValue(_, key) -> sprintf "%s must not be empty" key
        | UnsupportedVersion(_, v) when v > 1L ->
            sprintf "meta.version = %d is newer than this recorder understands (expected 1)" v
        | UnsupportedVersion(_, v) -> sprintf "meta.version = %d does not exist (expected 1)" v
        | BadSelector(_, key, _, err) -> sprintf "%s: %s" key (SelectorError.describe err)
        | InheritAtChainStart(_, key) ->
            sprintf "%s = \"inherit\" in the first filter of the chain that sets it: there is nothing to inherit" key
        | NoDefaultInChain(_, key) -> sprintf "no filter of the chain sets %s" key
        | FileOutsideRoot(_, pattern, root) ->
            sprintf "file pattern \"%s\" is absolute and not under the project root \"%s\"" pattern root
        | AbsoluteFileWithoutRoot(_, pattern) ->
            sprintf "file pattern \"%s\" is absolute but no project root is known" pattern

    /// `file:line:column: message`.
    let render (e: FilterError) : string =
        let at = location e
        sprintf "%s:%d:%d: %s" at.File at.Line at.Column (message e)
