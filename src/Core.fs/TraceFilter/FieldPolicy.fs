namespace CodeTracer.Core.TraceFilter

/// What a method's filter does to the fields inside the objects it records. The
/// runtime meets those fields only while the program runs (an object's runtime type
/// is not known while instrumenting), so it gets the method's `field` patterns as
/// regular expressions and decides once per type and policy, never per value.
type FieldPolicy =
    { /// The action on a field no pattern matches (the method's value default).
      Default: ValueAction
      /// In order, the first match decides: an anchored .NET regex and Allow, Redact or Drop.
      Patterns: (string * ValueAction) list }

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
                      Selector.regexText c.Pattern.Selector.Match c.Pattern.Selector.Pattern, action ]
        if policy.ValueDefault = ValueAction.Allow && patterns |> List.forall (fun (_, a) -> a = ValueAction.Allow) then allowAll
        else { Default = policy.ValueDefault; Patterns = patterns }

    let private letter (action: ValueAction) =
        match action with
        | ValueAction.Redact -> "r"
        | ValueAction.Drop -> "d"
        | _ -> "a"

    /// The policies as the runtime reads them, policy `i` on line `i + 1`: the default's
    /// letter (a, r, d), then for each pattern a tab, its letter and its regex. Tabs and
    /// line breaks inside a regex are written as the regex escapes `\t`, `\n`, `\r`,
    /// which match the same characters.
    let encode (policies: FieldPolicy list) : string =
        let escape (regex: string) = regex.Replace("\t", @"\t").Replace("\n", @"\n").Replace("\r", @"\r")
        policies
        |> List.map (fun p ->
            letter p.Default + (p.Patterns |> List.map (fun (regex, a) -> "\t" + letter a + escape regex) |> String.concat ""))
        |> String.concat "\n"
