namespace CodeTracer.Core.TraceFilter

/// What a filter says about recording a method.
[<RequireQualifiedAccess>]
type ExecDirective =
    /// Instrument and record the method.
    | Trace
    /// Give the method no probes at all.
    | Skip
    /// Keep what the earlier filters of the chain said (a file default only).
    | Inherit

/// Spelling of `ExecDirective` in filter files.
[<RequireQualifiedAccess>]
module ExecDirective =
    /// `trace`, `skip` or `inherit`.
    let toConfigString (d: ExecDirective) : string =
        match d with
        | ExecDirective.Trace -> "trace"
        | ExecDirective.Skip -> "skip"
        | ExecDirective.Inherit -> "inherit"

    /// The directive a filter file spells `text` (exact, lowercase), if any.
    let tryParse (text: string) : ExecDirective option =
        match text with
        | "trace" -> Some ExecDirective.Trace
        | "skip" -> Some ExecDirective.Skip
        | "inherit" -> Some ExecDirective.Inherit
        | _ -> None

/// What happens to a value the recorder could record.
[<RequireQualifiedAccess>]
type ValueAction =
    /// Recorded.
    | Allow
    /// Shown as `Error{msg:"<redacted>"}` of type `Redacted`; the real value is never read.
    | Redact
    /// Not recorded at all.
    | Drop
    /// Keep what the earlier filters of the chain said (a file default only).
    | Inherit

/// Spelling of `ValueAction` in filter files.
[<RequireQualifiedAccess>]
module ValueAction =
    /// `allow`, `redact`, `drop` or `inherit`.
    let toConfigString (a: ValueAction) : string =
        match a with
        | ValueAction.Allow -> "allow"
        | ValueAction.Redact -> "redact"
        | ValueAction.Drop -> "drop"
        | ValueAction.Inherit -> "inherit"

    /// The action a filter file spells `text` (exact, lowercase; `deny` is `redact`), if any.
    let tryParse (text: string) : ValueAction option =
        match text with
        | "allow" -> Some ValueAction.Allow
        | "redact"
        | "deny" -> Some ValueAction.Redact
        | "drop" -> Some ValueAction.Drop
        | "inherit" -> Some ValueAction.Inherit
        | _ -> None

/// How a selector's pattern is compared with a name.
[<RequireQualifiedAccess>]
type MatchType =
    /// `*` any run without `/`, `**` any run, `?` one character; everything else literal.
    | Glob
    /// A .NET regular expression that must match the whole name.
    | Regex
    /// The exact name, case-sensitive.
    | Literal
    /// The name's words (`WordPattern`): never a substring, whatever the case or separators.
    | Words

/// Spelling of `MatchType` in selectors.
[<RequireQualifiedAccess>]
module MatchType =
    /// `glob`, `regex` or `literal`.
    let toConfigString (m: MatchType) : string =
        match m with
        | MatchType.Glob -> "glob"
        | MatchType.Regex -> "regex"
        | MatchType.Literal -> "literal"
        | MatchType.Words -> "words"

    /// The match type a selector spells `text`, if any.
    let tryParse (text: string) : MatchType option =
        match text with
        | "glob" -> Some MatchType.Glob
        | "regex" -> Some MatchType.Regex
        | "literal" -> Some MatchType.Literal
        | "words" -> Some MatchType.Words
        | _ -> None

/// Which name of a method a rule's selector is matched against.
[<RequireQualifiedAccess>]
type ScopeKind =
    /// The assembly's simple name.
    | Asm
    /// The namespace of the declaring type.
    | Pkg
    /// `Namespace.Type.Method`.
    | Obj
    /// The source path relative to the project root, with `/` separators.
    | File

/// Spelling of `ScopeKind` in selectors.
[<RequireQualifiedAccess>]
module ScopeKind =
    /// Every scope kind.
    let all = [ ScopeKind.Asm; ScopeKind.Pkg; ScopeKind.Obj; ScopeKind.File ]

    /// `asm`, `pkg`, `obj` or `file`.
    let toConfigString (k: ScopeKind) : string =
        match k with
        | ScopeKind.Asm -> "asm"
        | ScopeKind.Pkg -> "pkg"
        | ScopeKind.Obj -> "obj"
        | ScopeKind.File -> "file"

    /// The scope kind a selector spells `text`, if any.
    let tryParse (text: string) : ScopeKind option =
        match text with
        | "asm" -> Some ScopeKind.Asm
        | "pkg" -> Some ScopeKind.Pkg
        | "obj" -> Some ScopeKind.Obj
        | "file" -> Some ScopeKind.File
        | _ -> None

/// Which kind of value a value pattern's selector speaks of.
[<RequireQualifiedAccess>]
type ValueKind =
    /// A parameter, by name (`this` for the receiver).
    | Arg
    /// A local variable, by its name in source.
    | Local
    /// A return value, by `Namespace.Type.Method` of the returning method.
    | Ret
    /// A field or auto-property inside a captured object.
    | Field

/// Spelling of `ValueKind` in selectors.
[<RequireQualifiedAccess>]
module ValueKind =
    /// Every value kind, in the order the summary lists them.
    let all = [ ValueKind.Arg; ValueKind.Local; ValueKind.Ret; ValueKind.Field ]

    /// `arg`, `local`, `ret` or `field`.
    let toConfigString (k: ValueKind) : string =
        match k with
        | ValueKind.Arg -> "arg"
        | ValueKind.Local -> "local"
        | ValueKind.Ret -> "ret"
        | ValueKind.Field -> "field"

    /// The value kind a selector spells `text` (`attr` is `field`), if any.
    let tryParse (text: string) : ValueKind option =
        match text with
        | "arg" -> Some ValueKind.Arg
        | "local" -> Some ValueKind.Local
        | "ret" -> Some ValueKind.Ret
        | "field"
        | "attr" -> Some ValueKind.Field
        | _ -> None

    /// 0..3, in the order of `all` (for per-kind arrays).
    let index (k: ValueKind) : int =
        match k with
        | ValueKind.Arg -> 0
        | ValueKind.Local -> 1
        | ValueKind.Ret -> 2
        | ValueKind.Field -> 3

/// A parsed selector `kind:[match:]pattern` (see `Selector.parse*`).
type Selector<'Kind> =
    { Kind: 'Kind
      Match: MatchType
      Pattern: string }

/// A selector of methods (`asm`, `pkg`, `obj`, `file`).
type ScopeSelector = Selector<ScopeKind>

/// A selector of values (`arg`, `local`, `ret`, `field`).
type ValueSelector = Selector<ValueKind>

/// One entry of a rule's `value_patterns`: the first one of a value's kind that matches decides.
type ValuePattern =
    { Selector: ValueSelector
      /// Allow, Redact or Drop (the loader accepts nothing else).
      Action: ValueAction }

/// One `[[scope.rules]]` entry.
type Rule =
    { Selector: ScopeSelector
      /// Trace or Skip when set (the loader accepts nothing else; Inherit would set nothing).
      Exec: ExecDirective option
      /// Allow, Redact or Drop when set (the loader accepts nothing else; Inherit would set nothing).
      ValueDefault: ValueAction option
      /// Shown by `codetracer filters explain`.
      Reason: string option
      /// Some list (even empty) replaces the patterns of earlier matching rules.
      ValuePatterns: ValuePattern list option }

/// The `[meta]` table.
type FilterMeta =
    { Name: string
      Version: int
      Description: string option
      Labels: string list }

/// The `[scope]` table: None leaves a default to the earlier files.
type FilterScope =
    { DefaultExec: ExecDirective option
      DefaultValueAction: ValueAction option
      Rules: Rule list }

/// A line and a column, both counted from 1.
type SourcePosition = { Line: int; Column: int }

/// Where a filter's text came from and where its parts are written.
type FilterSource =
    { /// The path the shell read the text from, or `<builtin>`.
      Path: string
      /// Lowercase hex SHA-256 of the text's UTF-8 bytes.
      Sha256: string
      /// Where `default_exec` is written, when it is.
      DefaultExecAt: SourcePosition option
      /// Where `default_value_action` is written, when it is.
      DefaultValueActionAt: SourcePosition option
      /// Where each rule starts, in rule order (empty for a model built in code).
      RulesAt: SourcePosition list }

/// One loaded filter file.
type FilterFile =
    { Meta: FilterMeta
      Scope: FilterScope
      Source: FilterSource }

/// Small helpers on the model.
[<RequireQualifiedAccess>]
module FilterFile =
    /// A source with a path and a hash and no positions (for models built in code).
    let sourceOf (path: string) (sha256: string) : FilterSource =
        { Path = path
          Sha256 = sha256
          DefaultExecAt = None
          DefaultValueActionAt = None
          RulesAt = [] }

    /// Where rule `number` (1-based) starts, when known.
    let ruleAt (number: int) (file: FilterFile) : SourcePosition option =
        List.tryItem (number - 1) file.Source.RulesAt
