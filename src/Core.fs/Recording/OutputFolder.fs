namespace CodeTracer.Core.Recording

open System.Text.Json

/// One entry of an existing output folder, as the shell found it.
type FolderEntry = { Name: string; IsFile: bool }

/// What is at the output path before a recording, as the shell found it.
type OutputPathFacts =
    /// Nothing: the folder will be created.
    | NothingThere
    /// A file (or anything that is not a folder) in the folder's place.
    | AFile
    /// An existing folder: its entries, and the text of its trace_metadata.json when it has a readable one.
    | AFolder of entries: FolderEntry list * metadata: string option

/// What may be done with the output path.
type OutputFolderVerdict =
    /// Nothing is there: create it.
    | CreateIt
    /// An empty folder or a trace of this recorder: replace it.
    | ReplaceIt
    /// Anything else: the user's data, refused with the reason (a sentence fragment).
    | Refuse of reason: string

/// Which output folder the recorder may replace: only an empty folder or a
/// trace this recorder wrote, never anything that could be the user's data
/// (`-o .`, `-o src`, the application's folder).
[<RequireQualifiedAccess>]
module OutputFolder =

    /// The files a published trace folder holds, and nothing else.
    let traceFiles = set [ "trace.bin"; "trace.json"; "trace_paths.json"; "trace_metadata.json" ]

    /// The recorder named by a trace_metadata.json text (`recorder.name`), if it parses and has one.
    let recorderOf (metadata: string) : string option =
        try
            use doc = JsonDocument.Parse metadata
            match doc.RootElement.ValueKind with
            | JsonValueKind.Object ->
                match doc.RootElement.TryGetProperty "recorder" with
                | true, r when r.ValueKind = JsonValueKind.Object ->
                    match r.TryGetProperty "name" with
                    | true, n when n.ValueKind = JsonValueKind.String -> Option.ofObj (n.GetString())
                    | _ -> None
                | _ -> None
            | _ -> None
        with :? JsonException ->
            None

    /// The decision for the output path. `encloses` names what the folder must not
    /// be replaced for holding (the working directory, the program), if it holds it.
    let decide (recorderName: string) (encloses: string option) (facts: OutputPathFacts) : OutputFolderVerdict =
        match facts, encloses with
        | NothingThere, _ -> CreateIt
        | AFile, _ -> Refuse "a file is in the way of the output folder"
        | AFolder _, Some what -> Refuse(sprintf "the output folder holds %s; give a folder of its own" what)
        | AFolder([], _), None -> ReplaceIt
        | AFolder(entries, metadata), None ->
            match entries |> List.tryFind (fun e -> not e.IsFile || not (traceFiles.Contains e.Name)) with
            | Some foreign ->
                Refuse(sprintf "the folder exists and is not a trace (it holds '%s'); give an empty folder, a trace folder or a new path" foreign.Name)
            | None ->
                match metadata |> Option.bind recorderOf with
                | Some name when name = recorderName -> ReplaceIt
                | Some other -> Refuse(sprintf "the folder holds a trace of another recorder (%s); give an empty folder or a new path" other)
                | None -> Refuse "the folder looks like a trace but has no trace_metadata.json naming this recorder; give an empty folder or a new path"
