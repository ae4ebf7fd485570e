namespace CodeTracer.Core.Common

open System.Globalization
open System.Text

/// A small JSON document model: the side files (metadata, paths), log records,
/// the trailer and the filters' summary.
type JsonNode =
    | JString of string
    | JInt of int64
    | JBool of bool
    | JNull
    | JArray of JsonNode list
    | JObject of (string * JsonNode) list

/// Rendering: indented for the side files, one line for log records and the trailer.
[<RequireQualifiedAccess>]
module JsonNode =
    let rec private append (sb: StringBuilder) (indent: string) (node: JsonNode) : unit =
        match node with
        | JString s -> JsonText.appendString sb s
        | JInt i -> sb.Append(i.ToString(CultureInfo.InvariantCulture)) |> ignore
        | JBool b -> sb.Append(if b then "true" else "false") |> ignore
        | JNull -> sb.Append "null" |> ignore
        | JArray [] -> sb.Append "[]" |> ignore
        | JArray items ->
            sb.Append('[') |> ignore
            items |> List.iteri (fun i item ->
                if i > 0 then sb.Append(", ") |> ignore
                append sb indent item)
            sb.Append(']') |> ignore
        | JObject [] -> sb.Append "{}" |> ignore
        | JObject fields ->
            let inner = indent + "  "
            sb.Append("{\n") |> ignore
            fields |> List.iteri (fun i (k, v) ->
                if i > 0 then sb.Append(",\n") |> ignore
                sb.Append(inner) |> ignore
                JsonText.appendString sb k
                sb.Append(": ") |> ignore
                append sb inner v)
            sb.Append('\n').Append(indent).Append('}') |> ignore

    /// One line of JSON, no spaces: for log records and the trailer.
    let rec renderCompact (node: JsonNode) : string =
        match node with
        | JArray items -> "[" + (items |> List.map renderCompact |> String.concat ",") + "]"
        | JObject fields ->
            let field (k, v) =
                let sb = StringBuilder()
                JsonText.appendString sb k
                sb.Append(':').Append(renderCompact v).ToString()
            "{" + (fields |> List.map field |> String.concat ",") + "}"
        | scalar ->
            let sb = StringBuilder()
            append sb "" scalar
            sb.ToString()

    /// Indented JSON text with a final newline.
    let render (node: JsonNode) : string =
        let sb = StringBuilder()
        append sb "" node
        sb.Append('\n').ToString()
