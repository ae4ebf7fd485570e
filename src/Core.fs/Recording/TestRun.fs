/// `record --test`: the runner's command line, and the run settings that load
/// the recorder into the test host process, and only there (the runner itself
/// stays unrecorded).
[<RequireQualifiedAccess>]
module CodeTracer.Core.Recording.TestRun

open System.Xml
open System.Xml.Linq

/// The user's own run settings file among the runner arguments (`--settings FILE`,
/// `-s FILE`, `--settings:FILE`), and the other arguments in their order. With
/// several, the last counts, as with `dotnet test`.
let splitSettings (args: string list) : string option * string list =
    let rec go settings rest args =
        match args with
        | ("--settings" | "-s") :: file :: tail -> go (Some file) rest tail
        | (a: string) :: tail when a.StartsWith "--settings:" -> go (Some(a.Substring "--settings:".Length)) rest tail
        | a :: tail -> go settings (a :: rest) tail
        | [] -> settings, List.rev rest
    go None [] args

/// The `dotnet` arguments of the test run: the test assembly, the settings file
/// when there is one, then the other runner arguments (a `--filter` among them
/// selects tests).
let runnerArgs (testDll: string) (settingsFile: string option) (rest: string list) : string list =
    [ "test"; testDll ] @ (settingsFile |> Option.map (fun f -> [ "--settings"; f ]) |> Option.defaultValue []) @ rest

let private name (local: string) = XName.Get local

/// The run settings text with these environment variables set for the test host:
/// the user's settings kept, a variable of the same name replaced. Bad user XML
/// is an error naming its line and position.
let withEnvironment (userSettings: string option) (variables: (string * string) list) : Result<string, string> =
    let parsed =
        match userSettings with
        | None -> Ok(XDocument(XElement(name "RunSettings")))
        | Some text ->
            try
                let doc = XDocument.Parse(text, LoadOptions.PreserveWhitespace)
                if doc.Root.Name.LocalName = "RunSettings" then Ok doc
                else Error(sprintf "the root element is <%s>, expected <RunSettings>" doc.Root.Name.LocalName)
            with :? XmlException as e ->
                Error e.Message
    parsed
    |> Result.map (fun doc ->
        let child (parent: XElement) (local: string) =
            match parent.Element(name local) with
            | null ->
                let e = XElement(name local)
                parent.Add e
                e
            | e -> e
        let environment = child (child doc.Root "RunConfiguration") "EnvironmentVariables"
        for key, value in variables do
            match environment.Element(name key) with
            | null -> environment.Add(XElement(name key, value))
            | existing -> existing.Value <- value
        doc.ToString())
