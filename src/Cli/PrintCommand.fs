/// `codetracer print`: a trace folder as a summary, a call tree or its events.
module CodeTracer.Cli.PrintCommand

open System
open System.IO
open System.Text
open Argu
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.TraceFiles

/// What to print.
type private Mode =
    | SummaryMode
    | CallsMode
    | JsonMode

let private defaultDepth = 10

let private defaultWidth = 20

/// The options, or a usage message.
let private options (args: ParseResults<PrintArgs>) : Result<Mode * int * int, string> =
    let modes =
        args.GetAllResults()
        |> List.choose (function
            | PrintArgs.Summary -> Some SummaryMode
            | PrintArgs.Calls -> Some CallsMode
            | PrintArgs.Json -> Some JsonMode
            | _ -> None)
        |> List.distinct
    let depth = args.TryGetResult PrintArgs.Depth |> Option.defaultValue defaultDepth
    let width = args.TryGetResult PrintArgs.Width |> Option.defaultValue defaultWidth
    match modes with
    | _ :: _ :: _ -> Result.Error "give one of --summary, --calls, --json"
    | _ when depth < 1 -> Result.Error(sprintf "--depth %d: expected a whole number >= 1" depth)
    | _ when width < 1 -> Result.Error(sprintf "--width %d: expected a whole number >= 1" width)
    | [ mode ] -> Ok(mode, depth, width)
    | [] -> Ok(SummaryMode, depth, width)

let run (args: ParseResults<PrintArgs>) : int =
    match options args with
    | Result.Error message ->
        eprintfn "codetracer: %s (see codetracer print --help)" message
        2
    | Ok(mode, depth, width) ->
        match ValidateCommand.readFolder (args.GetResult PrintArgs.Trace_Dir) with
        | Result.Error(message, code) ->
            eprintfn "%s" message
            code
        | Ok files ->
            use out = new StreamWriter(Console.OpenStandardOutput(), UTF8Encoding(false), 1 <<< 16)
            out.NewLine <- "\n"
            // The events stream from the file (a trace.bin frame by frame); a problem found
            // part way ends the output there.
            let events = files.Events
            try
                match mode with
                | JsonMode ->
                    for e in events do
                        out.WriteLine(Json.encodeEvent e)
                | CallsMode ->
                    for line in TraceSummary.renderCalls (TraceSummary.callTree depth width events) do
                        out.WriteLine line
                | SummaryMode ->
                    let lines =
                        TraceSummary.renderSummary
                            files.Folder
                            (SideFiles.decodeMetadata files.MetadataJson)
                            (TraceSummary.counts events)
                            (TraceSummary.callsPerFunction events)
                            width
                    for line in lines do
                        out.WriteLine line
                0
            with
            | :? TraceUnreadableException as e ->
                out.Flush()
                eprintfn "codetracer: %s cannot be read: %s" files.Folder e.Message
                1
            | :? RecorderException as e ->
                out.Flush()
                eprintfn "%s" (RecorderError.render e.Error)
                RecorderError.exitCode e.Error
