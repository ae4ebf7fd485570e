/// `codetracer record`: parse, call the shell, print what happened.
module CodeTracer.Cli.RecordCommand

open System
open Argu
open CodeTracer.Core.Diagnostics
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.Session

let run (args: ParseResults<RecordArgs>) (programArgs: string array) : int =
    match args.TryGetResult Target with
    | None ->
        eprintfn "codetracer: record needs a target (expected app.dll); see codetracer record --help"
        2
    | Some target ->
        let outDir = args.GetResult(Out_Dir, defaultValue = "trace-out")
        let propagate = args.Contains Propagate_Exit_Code
        try
            let result =
                Recorder.RecordAsync(RecordRequest(target, outDir, programArgs)).GetAwaiter().GetResult()
            eprintfn "codetracer: %s trace in %s: %d calls of %d functions, %d steps, %d events" result.Outcome result.TraceDir result.Calls result.Functions result.Steps result.Events
            if result.ProgramExitCode <> 0 && not propagate then
                eprintfn "codetracer: the program exited with %d; pass --propagate-exit-code to return it" result.ProgramExitCode
            ExitCode.ofRecording propagate result.ProgramExitCode
        with :? RecorderException as e ->
            eprintfn "%s" (RecorderError.render e.Error)
            RecorderError.exitCode e.Error
