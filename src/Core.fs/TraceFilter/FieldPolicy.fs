namespace CodeTracer.Core.TraceFilter

/// A `field` pattern as the runtime matches it.
[<RequireQualifiedAccess>]
type FieldMatch =
    /// An anchored .NET regex meaning the same as a glob, regex or literal selector.
    | Regex of regex: string
    /// A `words` pattern (`WordPattern`), which the runtime mirrors.
    | Words of pattern: string

/// What a method's filter does to the fields inside the objects it records. The
/// runtime meets those fields only while the program runs (an object's runtime type
/// is not known while instrumenting), so it gets the method's `field` patterns and
/// decides once per type and policy, never per value (the string keys of a
/// dictionary, which it judges as field names, once per entry).
type FieldPolicy =
    { /// The action on a field no pattern matches (the method's value default).
      Default: ValueAction
      /// In order, the first match decides: a pattern and Allow, Redact or Drop.
      Patterns: (FieldMatch * ValueAction) list }

[<RequireQualifiedAccess>]
module FieldPolicy =
    /// Every field recorded: the runtime does not look at names at all.
    let allowAll = { Default = ValueAction.Allow; Patterns = [] }

    /// The field part of a method's policy, with the meaning `Decision.decideValue`
    /// gives it: an `inherit` pattern stops the search with the default.
    let ofMethod (policy: MethodPolicy) : FieldPolicy =
        let patterns =
            match policy.Patterns with
            | None -> []
            | Some list ->
                [ for c in list.ByKind.[ValueKind.index ValueKind.Field] ->
                      let action = if c.Pattern.Action = ValueAction.Inherit then policy.ValueDefault else c.Pattern.Action
                      let selector = c.Pattern.Selector
                      let matching =
                          if selector.Match = MatchType.Words then FieldMatch.Words selector.Pattern
                          else FieldMatch.Regex(Selector.regexText selector.Match selector.Pattern)
                      matching, action ]
        if policy.ValueDefault = ValueAction.Allow && patterns |> List.forall (fun (_, a) -> a = ValueAction.Allow) then allowAll
        else { Default = policy.ValueDefault; Patterns = patterns }

    let private letter (action: ValueAction) =
        match action with
        | ValueAction.Redact -> "r"
        | ValueAction.Drop -> "d"
        | _ -> "a"

    let private text (matching: FieldMatch) =
        match matching with
        | FieldMatch.Regex regex -> "x" + regex.Replace("\t", @"\t").Replace("\n", @"\n").Replace("\r", @"\r")
        | FieldMatch.Words words -> "w" + words.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ')

    /// The policies as the runtime reads them, policy `i` on line `i + 1`: the default's
    /// letter (a, r, d), then for each pattern a tab, its letter, and `x` and a regex or
    /// `w` and a words pattern. Tabs and line breaks inside a regex are written as the
    /// regex escapes `\t`, `\n`, `\r`, which match the same characters; inside a words
    /// pattern as spaces, which separate words just as they do.
    let encode (policies: FieldPolicy list) : string =
        policies
        |> List.map (fun p -> letter p.Default + (p.Patterns |> List.map (fun (m, a) -> "\t" + letter a + text m) |> String.concat ""))
        |> String.concat "\n"
