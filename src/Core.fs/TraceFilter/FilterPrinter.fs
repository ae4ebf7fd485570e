namespace CodeTracer.Core.TraceFilter

open System.Globalization
open System.Text

/// A filter model as TOML text that `FilterLoader.load` reads back to the same model.
[<RequireQualifiedAccess>]
module FilterPrinter =

    /// A TOML basic string: quotes, backslashes, control characters and U+FFFD escaped.
    /// (TOML text cannot hold lone UTF-16 surrogates; they are written as they are.)
    let quote (s: string) : string =
        let sb = StringBuilder(s.Length + 2)
        sb.Append('"') |> ignore
        for c in s do
            match c with
            | '"' -> sb.Append("\\\"") |> ignore
            | '\\' -> sb.Append("\\\\") |> ignore
            | '\b' -> sb.Append("\\b") |> ignore
            | '\t' -> sb.Append("\\t") |> ignore
            | '\n' -> sb.Append("\\n") |> ignore
            | '\f' -> sb.Append("\\f") |> ignore
            | '\r' -> sb.Append("\\r") |> ignore
            // Tomlyn 2.10.2 takes a raw U+FFFD for a broken surrogate pair; the escape reads back.
            | c when c < ' ' || c = '\u007f' || c = '\uFFFD' ->
                sb.Append("\\u").Append((int c).ToString("X4", CultureInfo.InvariantCulture)) |> ignore
            | c -> sb.Append(c) |> ignore
        sb.Append('"').ToString()

    let private line (sb: StringBuilder) (key: string) (value: string) =
        sb.Append(key).Append(" = ").Append(value).Append('\n') |> ignore

    /// The TOML text of a filter (its `Source` is not part of the text).
    let print (file: FilterFile) : string =
        let sb = StringBuilder()
        let meta = file.Meta
        sb.Append("[meta]\n") |> ignore
        line sb "name" (quote meta.Name)
        line sb "version" (meta.Version.ToString(CultureInfo.InvariantCulture))
        meta.Description |> Option.iter (fun d -> line sb "description" (quote d))
        if not meta.Labels.IsEmpty then
            line sb "labels" ("[" + (meta.Labels |> List.map quote |> String.concat ", ") + "]")
        let scope = file.Scope
        if scope.DefaultExec.IsSome || scope.DefaultValueAction.IsSome then
            sb.Append("\n[scope]\n") |> ignore
            scope.DefaultExec |> Option.iter (fun d -> line sb "default_exec" (quote (ExecDirective.toConfigString d)))
            scope.DefaultValueAction
            |> Option.iter (fun a -> line sb "default_value_action" (quote (ValueAction.toConfigString a)))
        for rule in scope.Rules do
            sb.Append("\n[[scope.rules]]\n") |> ignore
            line sb "selector" (quote (Selector.scopeToConfigString rule.Selector))
            rule.Exec |> Option.iter (fun d -> line sb "exec" (quote (ExecDirective.toConfigString d)))
            rule.ValueDefault |> Option.iter (fun a -> line sb "value_default" (quote (ValueAction.toConfigString a)))
            rule.Reason |> Option.iter (fun r -> line sb "reason" (quote r))
            match rule.ValuePatterns with
            | None -> ()
            | Some [] -> line sb "value_patterns" "[]"
            | Some patterns ->
                for p in patterns do
                    sb.Append("[[scope.rules.value_patterns]]\n") |> ignore
                    line sb "selector" (quote (Selector.valueToConfigString p.Selector))
                    line sb "action" (quote (ValueAction.toConfigString p.Action))
        sb.ToString()
