/// `codetracer filters check` and `codetracer filters explain`.
module CodeTracer.Cli.FiltersCommand

open System.IO
open Argu
open CodeTracer.Core.Common
open CodeTracer.Core.Policy
open CodeTracer.Core.TraceFilter
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.Instrumentation
open CodeTracer.Shell.Session

/// Every file loads (exit 0, one OK line each), or every located error is printed (exit 2).
let check (args: ParseResults<FiltersCheckArgs>) : int =
    let results =
        [ for path in args.GetResult Files ->
              match (try Ok(FilterDiscovery.Read path) with :? RecorderException as e -> Error e.Error.Message) with
              | Error message -> Error [ message ]
              | Ok text ->
                  match FilterLoader.load path text.Text with
                  | Ok file -> Ok(sprintf "OK: %s (%s, %d rules)" path file.Meta.Name file.Scope.Rules.Length)
                  | Error errors -> Error(errors |> List.map FilterError.render) ]
    for r in results do
        match r with
        | Ok line -> printfn "%s" line
        | Error lines -> lines |> List.iter (eprintfn "%s")
    if results |> List.forall Result.isOk then 0 else 2

let private printMethod (m: MethodExplanation) =
    printfn "%s  %s  (%s)" m.Method m.Exec m.ExecWhy
    if m.Exec = "traced" then
        printfn "    value patterns: %s" m.PatternsFrom
        for replaced in m.ReplacedPatterns do
            printfn "      replacing the patterns of %s" replaced
        for v in m.Values do
            printfn "    %-5s %-20s %-6s (%s)" v.Kind v.Name v.Action v.Why

/// For each method of the application: traced or skipped and by which rule, each value's action and why.
let explain (args: ParseResults<FiltersExplainArgs>) : int =
    let target = args.GetResult FiltersExplainArgs.Target
    match PolicyOptions.layer args with
    | Error message ->
        eprintfn "codetracer: %s" message
        2
    | Ok cli ->
    try
        let full = Path.GetFullPath target
        if not (File.Exists full) then
            eprintfn "codetracer: %s: no such file (expected a .NET app.dll) (ERR_TARGET_NOT_FOUND)" full
            2
        else
            let folder = Path.GetDirectoryName full
            let frameworks = if args.Contains FiltersExplainArgs.Test then TestAssembly.Inspect(full).Frameworks else [||] :> _
            let setup = FilterDiscovery.Load(PolicyResolver.Resolve cli, folder, frameworks)
            let methods = FilterExplainer.Explain(folder, setup.Chain, setup.ProjectRoot, args.TryGetResult Method |> Option.toObj)
            printfn "filter chain: %s" (setup.Chain.Files |> List.map (fun f -> sprintf "%s (%s)" f.Meta.Name f.Source.Path) |> String.concat " < ")
            printfn "project root: %s" (if isNull setup.ProjectRoot then "-" else setup.ProjectRoot)
            for m in methods do
                printMethod m
            0
    with :? RecorderException as e ->
        eprintfn "%s" (RecorderError.render e.Error)
        RecorderError.exitCode e.Error

let run (args: ParseResults<FiltersArgs>) : int =
    match args.GetAllResults() with
    | [ Check a ] -> check a
    | [ Explain a ] -> explain a
    | _ ->
        eprintfn "codetracer: filters needs check or explain (see codetracer filters --help)"
        2
