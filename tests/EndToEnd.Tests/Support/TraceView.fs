/// A reader's view of a trace for content assertions: calls with their
/// arguments and returns, steps with their values, IO events with their step.
module CodeTracer.EndToEnd.Tests.TraceView

open System.Text.Json
open CodeTracer.Core.Trace
open CodeTracer.Shell.TraceFiles

/// The events of a trace folder (trace.bin or trace.json), read by the project's own
/// reader, each as trace.json would hold it.
let eventLines (folder: string) : string list =
    TraceFolderReader.Read(folder).Events |> Seq.map Json.encodeEvent |> List.ofSeq

/// All the events' JSON text, one a line: for searching a trace for a value.
let text (folder: string) : string = String.concat "\n" (eventLines folder)

/// A value shown in plain text: Int 3 → "3", String "a" → "a", Sequence → "[1, 2]", Variant → "Green",
/// Tuple → "(1, a)", Struct → "{X: 1, Y: 2}" (field names from `fieldsOf` the value's type id).
let rec showWith (fieldsOf: int -> string list option) (v: JsonElement) : string =
    let show = showWith fieldsOf
    match v.GetProperty("kind").GetString() with
    | "Int" -> v.GetProperty("i").GetRawText()
    | "Float" -> v.GetProperty("f").GetString()
    | "Bool" -> if v.GetProperty("b").GetBoolean() then "true" else "false"
    | "String" -> v.GetProperty("text").GetString()
    | "Char" -> v.GetProperty("c").GetString()
    | "Sequence" -> "[" + (v.GetProperty("elements").EnumerateArray() |> Seq.map show |> String.concat ", ") + "]"
    | "Tuple" -> "(" + (v.GetProperty("elements").EnumerateArray() |> Seq.map show |> String.concat ", ") + ")"
    | "Struct" ->
        let values = v.GetProperty("field_values").EnumerateArray() |> Seq.map show |> List.ofSeq
        let shown =
            match fieldsOf (v.GetProperty("type_id").GetInt32()) with
            | Some names when names.Length = values.Length -> List.map2 (fun n s -> n + ": " + s) names values
            | _ -> values
        "{" + String.concat ", " shown + "}"
    | "Variant" ->
        // An enum's number and an empty case are left out: "Green", "None", "Some(5)", "Rect(2, 3)".
        let contents = v.GetProperty("contents")
        match contents.GetProperty("kind").GetString() with
        | "None" | "Int" -> v.GetProperty("discriminator").GetString()
        | "Tuple" -> v.GetProperty("discriminator").GetString() + show contents
        | _ -> v.GetProperty("discriminator").GetString() + "(" + show contents + ")"
    | "Raw" -> v.GetProperty("r").GetString()
    | "Error" -> v.GetProperty("msg").GetString()
    | "None" -> "null"
    | "BigInt" -> "BigInt:" + (if v.GetProperty("negative").GetBoolean() then "-" else "") + v.GetProperty("b").GetString()
    | k -> "<" + k + ">"

/// A value shown in plain text, structs without their field names.
let show (v: JsonElement) : string = showWith (fun _ -> None) v

type CallView = { Function: string; Args: (string * string) list; mutable Returned: string option; Depth: int }
type StepView = { Path: string; Line: int; Function: string; Values: Map<string, string> }
type IoView = { Kind: int; Content: string; Step: StepView option }

type Trace =
    { Events: JsonElement list
      Functions: string list
      Types: (int * string) list
      Calls: CallView list
      Steps: StepView list
      Io: IoView list }

/// A function name with a part only the compiler writes (recorder.md: such names never show).
/// An F# closure's `Invoke` or a seq's `GenerateNext` would come with its class's `@`; a
/// test host's own `DefaultEngineInvoker.Invoke` is a name its authors wrote.
let isCompilerGenerated (name: string) =
    [ "MoveNext"; "<>"; "b__"; "d__"; "g__"; "DisplayClass"; "@"; "StartupCode$"; "$W" ] |> List.exists (fun part -> name.Contains part)

/// Every trace the end-to-end tests read: fails on a compiler-generated function name.
let load (folder: string) : Trace =
    let doc = JsonDocument.Parse("[" + String.concat "," (eventLines folder) + "]")
    let events = doc.RootElement.EnumerateArray() |> List.ofSeq
    let paths = ResizeArray<string>()
    let functions = ResizeArray<string>()
    let types = ResizeArray<int * string>()
    let structFields = System.Collections.Generic.Dictionary<int, string list>()
    let show = showWith (fun id -> match structFields.TryGetValue id with | true, f -> Some f | _ -> None)
    let vars = ResizeArray<string>()
    let calls = ResizeArray<CallView>()
    let steps = ResizeArray<StepView>()
    let io = ResizeArray<IoView>()
    let stack = System.Collections.Generic.Stack<CallView>()
    let mutable current: StepView option = None
    let flush () =
        match current with
        | Some s -> steps.Add s
        | None -> ()
    for e in events do
        if e.ValueKind = JsonValueKind.Object then
            let p = e.EnumerateObject() |> Seq.head
            let body = p.Value
            match p.Name with
            | "Path" -> paths.Add(body.GetString())
            | "Function" -> functions.Add(body.GetProperty("name").GetString())
            | "Type" ->
                match body.TryGetProperty "specific_info" with
                | true, info when info.ValueKind = JsonValueKind.Object && info.GetProperty("kind").GetString() = "Struct" ->
                    structFields.[types.Count] <- [ for f in info.GetProperty("fields").EnumerateArray() -> f.GetProperty("name").GetString() ]
                | _ -> ()
                types.Add(body.GetProperty("kind").GetInt32(), body.GetProperty("lang_type").GetString())
            | "VariableName" -> vars.Add(body.GetString())
            | "Call" ->
                let args =
                    [ for a in body.GetProperty("args").EnumerateArray() ->
                          vars.[a.GetProperty("variable_id").GetInt32()], show (a.GetProperty "value") ]
                let c = { Function = functions.[body.GetProperty("function_id").GetInt32()]; Args = args; Returned = None; Depth = stack.Count }
                calls.Add c
                stack.Push c
            | "Return" ->
                if stack.Count > 0 then stack.Pop().Returned <- Some(show (body.GetProperty "return_value"))
            | "Step" ->
                flush ()
                current <-
                    Some { Path = paths.[body.GetProperty("path_id").GetInt32()]
                           Line = body.GetProperty("line").GetInt32()
                           Function = (if stack.Count > 0 then stack.Peek().Function else "")
                           Values = Map.empty }
            | "Value" ->
                match current with
                | Some s -> current <- Some { s with Values = s.Values.Add(vars.[body.GetProperty("variable_id").GetInt32()], show (body.GetProperty "value")) }
                | None -> ()
            | "Event" ->
                flush ()
                io.Add { Kind = body.GetProperty("kind").GetInt32(); Content = body.GetProperty("content").GetString(); Step = current }
                current <- None
            | _ -> ()
    flush ()
    match functions |> Seq.filter isCompilerGenerated |> List.ofSeq with
    | [] -> ()
    | generated -> failwithf "compiler-generated function names in %s: %A" folder generated
    { Events = events; Functions = List.ofSeq functions; Types = List.ofSeq types; Calls = List.ofSeq calls; Steps = List.ofSeq steps; Io = List.ofSeq io }

/// The calls of the function with this display name.
let callsOf (name: string) (t: Trace) = t.Calls |> List.filter (fun c -> c.Function = name)

/// The steps at a line of a file ending with `fileSuffix`.
let stepsAt (fileSuffix: string) (line: int) (t: Trace) =
    t.Steps |> List.filter (fun s -> s.Line = line && s.Path.EndsWith fileSuffix)

/// A trace folder's trace_metadata.json.
let metadata (folder: string) : JsonElement =
    JsonDocument.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(folder, "trace_metadata.json"))).RootElement

/// One of the metadata's notes ("" when it has none of that name).
let note (folder: string) (name: string) : string =
    match (metadata folder).GetProperty("notes").TryGetProperty(name) with
    | true, v -> v.GetString()
    | _ -> ""
