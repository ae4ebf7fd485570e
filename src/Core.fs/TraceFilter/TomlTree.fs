namespace CodeTracer.Core.TraceFilter

open Tomlyn.Parsing
open Tomlyn.Syntax

// A located TOML tree, built from Tomlyn's syntax tree. Tomlyn parses and reports
// syntax errors; the key and table semantics of TOML (a key or table defined once,
// dotted keys, inline tables closed, arrays of tables) are checked here while the
// tree is built, because Tomlyn 2.10.2's own check rejects valid files (`[[r]]`,
// `[[r.p]]`, `[[r]]`, `p = []`).

/// How a TOML table came to be, which decides what may still add to it.
type internal TableKind =
    /// An intermediate of a `[header]` path: a later `[header]` may define it.
    | Implicit
    /// Defined by `[header]`, or an element of `[[header]]`.
    | Header
    /// Created by a dotted key: more dotted keys may extend it, headers may add sub-tables.
    | Dotted
    /// `{ ... }`: closed.
    | Inline

/// A TOML value, as far as the filter language tells values apart.
type internal TomlValue =
    | VString of string
    | VInt of int64
    | VBool of bool
    | VOther of typeName: string
    /// Items, and whether `[[header]]` made it (and may append to it). While `parse` builds
    /// the tree, the items of a `[[header]]` array are kept newest first (appending and
    /// reaching the last element stay O(1) for files of many rules); `parse` returns them in text order.
    | VArray of TomlItem list * ofTables: bool
    | VTable of TomlTable

/// A value and where it starts.
and internal TomlItem = { Value: TomlValue; At: SourcePosition }

/// A table: its entries in text order, where it starts, how it came to be.
and internal TomlTable =
    { Entries: TomlEntry list
      At: SourcePosition
      Kind: TableKind }

/// A key, where it is written, and its value.
and internal TomlEntry = { Key: string; KeyAt: SourcePosition; Item: TomlItem }

/// TOML text to a located tree (for the filter loader).
[<RequireQualifiedAccess>]
module internal TomlTree =

    /// "a string", "an integer", ... for messages.
    let typeName (v: TomlValue) : string =
        match v with
        | VString _ -> "a string"
        | VInt _ -> "an integer"
        | VBool _ -> "a boolean"
        | VOther t -> t
        | VArray _ -> "an array"
        | VTable _ -> "a table"

    let private positionOf (p: TextPosition) : SourcePosition =
        { Line = max 1 (p.Line + 1); Column = max 1 (p.Column + 1) }

    let private startOf (node: SyntaxNodeBase | null) : SourcePosition =
        match node with
        | null -> { Line = 1; Column = 1 }
        | n -> positionOf n.Span.Start

    let private locate (file: string) (at: SourcePosition) : FilterLocation =
        { File = file; Line = at.Line; Column = at.Column }

    let private emptyTable (kind: TableKind) (at: SourcePosition) : TomlTable = { Entries = []; At = at; Kind = kind }

    let private keyText (key: BareKeyOrStringValueSyntax | null) : string =
        match key with
        | :? BareKeySyntax as b ->
            match b.Key with
            | null -> ""
            | token -> token.Text |> Option.ofObj |> Option.defaultValue ""
        | :? StringValueSyntax as s -> s.Value |> Option.ofObj |> Option.defaultValue ""
        | _ -> ""

    /// The segments of a dotted key, each with its position.
    let private keyPath (key: KeySyntax | null) : (string * SourcePosition) list =
        match key with
        | null -> []
        | key -> (keyText key.Key, startOf key.Key) :: [ for d in key.DotKeys -> keyText d.Key, startOf d.Key ]

    /// The entry of a key, if the table has it.
    let tryEntry (key: string) (table: TomlTable) : TomlEntry option =
        table.Entries |> List.tryFind (fun e -> e.Key = key)

    let private replaceEntry (key: string) (item: TomlItem) (table: TomlTable) : TomlTable =
        { table with Entries = table.Entries |> List.map (fun e -> if e.Key = key then { e with Item = item } else e) }

    let private addEntry (key: string) (keyAt: SourcePosition) (item: TomlItem) (table: TomlTable) : TomlTable =
        { table with Entries = table.Entries @ [ { Key = key; KeyAt = keyAt; Item = item } ] }

    let private conflict (file: string) (at: SourcePosition) (key: string) : FilterError =
        TomlSyntax(locate file at, sprintf "the key \"%s\" is already defined" key)

    /// `a.b.c = value` inside `table`.
    let rec private setValue file (path: (string * SourcePosition) list) (item: TomlItem) (table: TomlTable) : Result<TomlTable, FilterError> =
        match path with
        | [] -> Ok table
        | [ key, at ] ->
            match tryEntry key table with
            | None -> Ok(addEntry key at item table)
            | Some _ -> Error(conflict file at key)
        | (key, at) :: rest ->
            match tryEntry key table with
            | None ->
                setValue file rest item (emptyTable Dotted at)
                |> Result.map (fun sub -> addEntry key at { Value = VTable sub; At = at } table)
            | Some { Item = { Value = VTable({ Kind = Dotted } as sub); At = subAt } } ->
                setValue file rest item sub
                |> Result.map (fun sub -> replaceEntry key { Value = VTable sub; At = subAt } table)
            | Some _ -> Error(conflict file at key)

    /// A `[header]` table (or a `[[header]]` element) with its key-values, put in place under `table`.
    let rec private insertTable file (path: (string * SourcePosition) list) (isArray: bool) (newTable: TomlTable) (table: TomlTable) : Result<TomlTable, FilterError> =
        match path with
        | [] -> Ok table
        | [ key, at ] ->
            let newItem = { Value = VTable newTable; At = newTable.At }
            match tryEntry key table, isArray with
            | None, true -> Ok(addEntry key at { Value = VArray([ newItem ], true); At = newTable.At } table)
            | None, false -> Ok(addEntry key at newItem table)
            | Some { Item = { Value = VArray(items, true); At = arrayAt } }, true ->
                Ok(replaceEntry key { Value = VArray(newItem :: items, true); At = arrayAt } table)
            | Some { Item = { Value = VTable({ Kind = Implicit } as existing) } }, false ->
                match newTable.Entries |> List.tryFind (fun e -> (tryEntry e.Key existing).IsSome) with
                | Some e -> Error(conflict file e.KeyAt e.Key)
                | None ->
                    let merged = { newTable with Entries = existing.Entries @ newTable.Entries }
                    Ok(replaceEntry key { newItem with Value = VTable merged } table)
            | Some _, _ -> Error(conflict file at key)
        | (key, at) :: rest ->
            match tryEntry key table with
            | None ->
                insertTable file rest isArray newTable (emptyTable Implicit at)
                |> Result.map (fun sub -> addEntry key at { Value = VTable sub; At = at } table)
            | Some { Item = { Value = VTable sub; At = subAt } } when sub.Kind <> Inline ->
                insertTable file rest isArray newTable sub
                |> Result.map (fun sub -> replaceEntry key { Value = VTable sub; At = subAt } table)
            | Some { Item = { Value = VArray(items, true); At = arrayAt } } ->
                match items with
                | { Value = VTable last; At = lastAt } :: earlier -> // the newest element, see VArray
                    insertTable file rest isArray newTable last
                    |> Result.map (fun sub ->
                        replaceEntry key { Value = VArray({ Value = VTable sub; At = lastAt } :: earlier, true); At = arrayAt } table)
                | _ -> Error(conflict file at key)
            | Some _ -> Error(conflict file at key)

    /// The value, and the errors of the inline tables inside it.
    let rec private valueOf file (syntax: ValueSyntax | null) : TomlItem * FilterError list =
        let at = startOf syntax
        let plain v = { Value = v; At = at }, []
        match syntax with
        | :? StringValueSyntax as s -> plain (VString(s.Value |> Option.ofObj |> Option.defaultValue ""))
        | :? IntegerValueSyntax as i -> plain (VInt i.Value)
        | :? BooleanValueSyntax as b -> plain (VBool b.Value)
        | :? FloatValueSyntax -> plain (VOther "a float")
        | :? DateTimeValueSyntax -> plain (VOther "a date-time")
        | :? ArraySyntax as a ->
            let items = [ for i in a.Items -> valueOf file i.Value ]
            { Value = VArray(List.map fst items, false); At = at }, List.collect snd items
        | :? InlineTableSyntax as t ->
            let table, errors = fillTable file [ for i in t.Items -> i.KeyValue ] (emptyTable Inline at)
            { Value = VTable table; At = at }, errors
        | _ -> plain (VOther "an unknown value")

    /// The key-values added to the table; one that conflicts is left out and reported.
    and private fillTable file (keyValues: (KeyValueSyntax | null) list) (table: TomlTable) : TomlTable * FilterError list =
        ((table, []), keyValues)
        ||> List.fold (fun (table, errors) kv ->
            match kv with
            | null -> table, errors
            | kv ->
                let item, inner = valueOf file kv.Value
                match setValue file (keyPath kv.Key) item table with
                | Ok table -> table, errors @ inner
                | Error e -> table, errors @ inner @ [ e ])

    /// The tree with every `[[header]]` array's items back in text order (see VArray).
    let rec private inTextOrder (table: TomlTable) : TomlTable =
        let rec item (i: TomlItem) =
            match i.Value with
            | VTable t -> { i with Value = VTable(inTextOrder t) }
            | VArray(items, true) -> { i with Value = VArray(items |> List.rev |> List.map item, true) }
            | VArray(items, false) -> { i with Value = VArray(items |> List.map item, false) }
            | _ -> i
        { table with Entries = table.Entries |> List.map (fun e -> { e with Item = item e.Item }) }

    let private treeOf (file: string) (doc: DocumentSyntax) : Result<TomlTable, FilterError list> =
        let root, rootErrors =
            fillTable file [ for kv in doc.KeyValues -> kv ] (emptyTable Header { Line = 1; Column = 1 })
        let root, errors =
            ((root, rootErrors), [ for t in doc.Tables -> t ])
            ||> List.fold (fun (root, errors) header ->
                let table, inner = fillTable file [ for kv in header.Items -> kv ] (emptyTable Header (startOf header))
                match insertTable file (keyPath header.Name) (header :? TableArraySyntax) table root with
                | Ok root -> root, errors @ inner
                | Error e -> root, errors @ inner @ [ e ])
        if errors.IsEmpty then Ok(inTextOrder root) else Error errors

    let private endOfText (text: string) : SourcePosition =
        let lastBreak = text.LastIndexOf '\n'
        { Line = 1 + (text |> Seq.filter (fun c -> c = '\n') |> Seq.length)
          Column = text.Length - lastBreak }

    /// The located tree of a TOML text, or every syntax and key error, located.
    /// Never throws.
    let parse (file: string) (text: string) : Result<TomlTable, FilterError list> =
        let parsed =
            // Tomlyn 2.10.2 throws on some malformed escapes at the end of the text:
            // its exceptions are turned into an error here so that loading stays total.
            try
                Ok(SyntaxParser.Parse(text, file, false))
            with e ->
                Error [ TomlSyntax(locate file (endOfText text), "the TOML parser failed: " + e.Message) ]
        match parsed with
        | Error e -> Error e
        | Ok doc when doc.HasErrors ->
            Error
                [ for d in doc.Diagnostics do
                      if d.Kind = DiagnosticMessageKind.Error then
                          yield TomlSyntax(locate file (positionOf d.Span.Start), d.Message) ]
        | Ok doc -> treeOf file doc
