/// `record App.csproj`: the `dotnet build` the user would run (configuration, target
/// framework, MSBuild properties), the query for what it produced, and the compiler's
/// errors when it fails.
[<RequireQualifiedAccess>]
module CodeTracer.Core.Recording.ProjectBuild

open System.Text.RegularExpressions

/// How the user builds the project: `--configuration` (Debug when not given, as
/// `dotnet build`), `--framework`, and `-p:Name=Value` properties in their order.
type Options =
    { Configuration: string option
      Framework: string option
      Properties: (string * string) list }

let defaults = { Configuration = None; Framework = None; Properties = [] }

/// An MSBuild property name: a letter or `_`, then letters, digits, `_` and `-`.
let private propertyName = Regex(@"^[A-Za-z_][A-Za-z0-9_\-]*$")

/// `Name=Value` (the value may hold `=` and be empty), or why it is not one.
let parseProperty (text: string) : Result<string * string, string> =
    match text.IndexOf '=' with
    | -1 -> Error(sprintf "property '%s' is not Name=Value" text)
    | i ->
        let name = text.Substring(0, i).Trim()
        if propertyName.IsMatch name then Ok(name, text.Substring(i + 1))
        else Error(sprintf "property '%s': '%s' is not an MSBuild property name" text name)

let private configuration (o: Options) = defaultArg o.Configuration "Debug"

/// The global properties every invocation shares, so that the query sees the same build.
let private properties (o: Options) =
    o.Properties |> List.map (fun (n, v) -> sprintf "-p:%s=%s" n v)

/// The `dotnet` arguments that build the project as the user would, quietly.
let buildArgs (project: string) (o: Options) : string list =
    [ "build"; project; "-c"; configuration o ]
    @ (o.Framework |> Option.map (fun f -> [ "-f"; f ]) |> Option.defaultValue [])
    @ properties o
    @ [ "-nologo"; "-v"; "q" ]

/// The `dotnet` arguments that print the built program's path (`TargetPath`) and the
/// project's frameworks (`TargetFrameworks`), one a line, for the same build.
let queryArgs (project: string) (o: Options) : string list =
    [ "msbuild"; project; "-nologo"; "-p:Configuration=" + configuration o ]
    @ (o.Framework |> Option.map (fun f -> [ "-p:TargetFramework=" + f ]) |> Option.defaultValue [])
    @ properties o
    @ [ "-getProperty:TargetPath"; "-getProperty:TargetFrameworks" ]

/// How many compiler errors a build failure shows.
[<Literal>]
let ShownErrors = 5

/// An error line of MSBuild's output, `file(line,col): error CODE: message [project]`
/// (or `project : error CODE: ...`), without the project MSBuild appends.
let private errorLine = Regex(@"^(?<located>.+?: error [^:]*:.*?)(\s+\[[^\]]+\])?$")

/// The build's first distinct errors, one located line each, and how many more there were;
/// none when the output has no error line (then the output itself is all there is to say).
let firstErrors (output: string) : string list * int =
    let errors =
        output.Split('\n')
        |> Array.map (fun l -> l.Trim())
        |> Array.choose (fun l ->
            let m = errorLine.Match l
            if m.Success then Some m.Groups.["located"].Value else None)
        |> Array.distinct
        |> List.ofArray
    List.truncate ShownErrors errors, max 0 (errors.Length - ShownErrors)

/// The built program from the query's `TargetPath` and `TargetFrameworks`, or why there is
/// none: a project of several frameworks needs `--framework` to say which one runs.
let program (o: Options) (targetPath: string) (frameworks: string) : Result<string, string> =
    let several = frameworks.Split(';', System.StringSplitOptions.RemoveEmptyEntries ||| System.StringSplitOptions.TrimEntries)
    if targetPath.Trim() <> "" then Ok(targetPath.Trim())
    elif o.Framework.IsNone && several.Length > 1 then
        Error(sprintf "it targets %s: choose one with --framework" (String.concat ", " several))
    else Error "it names no program (TargetPath is empty): is it a .NET SDK project?"
