/// `codetracer validate`: every rule of the trace format, checked by Core.
module CodeTracer.Cli.ValidateCommand

open Argu
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.TraceFiles

/// At most this many ERROR lines, then a count of the rest (as ct-validate.py).
let private maxErrorLines = 50

/// The files of a trace folder, or the one-line message and exit code (2) of a
/// missing folder or file. Used by `print` too.
let readFolder (folder: string) : Result<TraceFolderFiles, string * int> =
    try
        Ok(TraceFolderReader.Read folder)
    with :? RecorderException as e ->
        Result.Error(RecorderError.render e.Error, RecorderError.exitCode e.Error)

/// Prints the problems as `ERROR where: message` lines and an INVALID line.
let private report (folder: string) (problems: TraceProblem list) =
    for p in List.truncate maxErrorLines problems do
        printfn "ERROR %s" (TraceProblem.render p)
    if problems.Length > maxErrorLines then
        printfn "ERROR ... and %d more" (problems.Length - maxErrorLines)
    printfn "INVALID: %d problem(s) in %s" problems.Length folder

let run (args: ParseResults<ValidateArgs>) : int =
    let folder = args.GetResult ValidateArgs.Trace_Dir
    match readFolder folder with
    | Result.Error(message, code) ->
        eprintfn "%s" message
        code
    | Ok files ->
        try
            // One pass over the events file: the rules and the OK line's counts together.
            let problems, c =
                TraceValidation.check
                    (args.Contains ValidateArgs.Partial)
                    files.Events
                    (SideFiles.decodePaths files.PathsJson)
                    (SideFiles.decodeMetadata files.MetadataJson)
            if problems.IsEmpty then
                printfn "OK: %d events, %d steps, %d calls, %d functions" c.Events c.Steps c.Calls c.Functions
                0
            else
                report files.Folder problems
                1
        with
        | :? TraceUnreadableException as e ->
            // The loader stops at the first problem of the events file: so does validation.
            report files.Folder [ e.Problem ]
            1
        | :? RecorderException as e ->
            eprintfn "%s" (RecorderError.render e.Error)
            RecorderError.exitCode e.Error
