/// `codetracer record`: parse, call the shell, print what happened.
module CodeTracer.Cli.RecordCommand

open System
open Argu
open CodeTracer.Core.Diagnostics
open CodeTracer.Core.Policy
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.Session

/// The command line's policy layer; a later switch wins over an earlier one.
/// An invalid value is the message of a usage error.
let cliLayer (args: ParseResults<RecordArgs>) : Result<PolicyLayer, string> =
    let count name (n: int option) =
        match n with
        | Some v when v < 0 -> Error(sprintf "--%s %d: expected a whole number >= 0" name v)
        | _ -> Ok n
    let propagate =
        args.GetAllResults()
        |> List.choose (function
            | Propagate_Exit_Code -> Some true
            | No_Propagate_Exit_Code -> Some false
            | _ -> None)
        |> List.tryLast
    let ioCapture =
        match args.TryGetResult Io_Capture with
        | None -> Ok None
        | Some text ->
            match PolicyValues.tryParseIoCapture text with
            | Some mode -> Ok(Some mode)
            | None -> Error(sprintf "--io-capture %s: expected off or console" text)
    match count "max-depth" (args.TryGetResult Max_Depth), count "max-elements" (args.TryGetResult Max_Elements),
          count "max-string" (args.TryGetResult Max_String), ioCapture with
    | Ok depth, Ok elements, Ok chars, Ok io ->
        Ok { PolicyLayer.empty with
               OutDir = args.TryGetResult Out_Dir
               PropagateExitCode = propagate
               IoCapture = io
               MaxDepth = depth
               MaxElements = elements
               MaxString = chars }
    | Error e, _, _, _ | _, Error e, _, _ | _, _, Error e, _ | _, _, _, Error e -> Error e

let run (args: ParseResults<RecordArgs>) (programArgs: string array) : int =
    match args.TryGetResult Target, cliLayer args with
    | None, _ ->
        eprintfn "codetracer: record needs a target (expected app.dll); see codetracer record --help"
        2
    | _, Error message ->
        eprintfn "codetracer: %s" message
        2
    | Some target, Ok cli ->
        try
            let policy = PolicyResolver.Resolve(cli)
            let propagate = policy.PropagateExitCode.Value
            let result =
                Recorder.RecordAsync(RecordRequest(target, programArgs, policy)).GetAwaiter().GetResult()
            eprintfn "codetracer: %s trace in %s: %d calls of %d functions, %d steps, %d events" result.Outcome result.TraceDir result.Calls result.Functions result.Steps result.Events
            if result.ProgramExitCode <> 0 && not propagate then
                eprintfn "codetracer: the program exited with %d; pass --propagate-exit-code to return it" result.ProgramExitCode
            ExitCode.ofRecording propagate result.ProgramExitCode
        with :? RecorderException as e ->
            eprintfn "%s" (RecorderError.render e.Error)
            RecorderError.exitCode e.Error
