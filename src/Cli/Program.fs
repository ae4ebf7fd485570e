/// The `codetracer` command: one exhaustive match over the commands.
module CodeTracer.Cli.Program

open Argu
open CodeTracer.Cli.Arguments

/// Usage errors print one line and exit 2; --help prints the usage and exits 0.
type private Exiter() =
    interface IExiter with
        member _.Name = "codetracer"

        member _.Exit(msg, code) =
            if code = ErrorCode.HelpText then
                printfn "%s" msg
                exit 0
            else
                let firstLine = msg.Split('\n').[0].Trim().Replace("ERROR: ", "")
                eprintfn "codetracer: %s (see codetracer --help)" firstLine
                exit 2

[<EntryPoint>]
let main argv =
    let ownArgs, programArgs = splitProgramArgs argv
    let parser = ArgumentParser.Create<CliArgs>(programName = "codetracer", errorHandler = Exiter())
    match ownArgs with
    | [||] ->
        eprintfn "codetracer: give a command (see codetracer --help)"
        2
    | _ when (ownArgs.[0] = "record" || ownArgs.[0] = "policy") && (unknownOption<RecordArgs> ownArgs.[1..]).IsSome ->
        eprintfn "codetracer: unknown option '%s' (see codetracer %s --help)" (unknownOption<RecordArgs> ownArgs.[1..]).Value ownArgs.[0]
        2
    | _ when ownArgs.[0] = "print" && (unknownOption<PrintArgs> ownArgs.[1..]).IsSome ->
        eprintfn "codetracer: unknown option '%s' (see codetracer print --help)" (unknownOption<PrintArgs> ownArgs.[1..]).Value
        2
    | _ when ownArgs.[0] = "validate" && (unknownOption<ValidateArgs> ownArgs.[1..]).IsSome ->
        eprintfn "codetracer: unknown option '%s' (see codetracer validate --help)" (unknownOption<ValidateArgs> ownArgs.[1..]).Value
        2
    | _ ->
    let results = parser.ParseCommandLine(ownArgs)
    match results.GetAllResults() with
    | [ Version ] ->
        printfn "codetracer %s" CodeTracer.Shell.Session.Recorder.Version
        0
    | [ Record args ] -> RecordCommand.run args programArgs
    | [ Policy args ] -> PolicyCommand.run args
    | [ Filters args ] -> FiltersCommand.run args
    | [ Print args ] -> PrintCommand.run args
    | [ Validate args ] -> ValidateCommand.run args
    | _ ->
        eprintfn "codetracer: give one command (see codetracer --help)"
        2
