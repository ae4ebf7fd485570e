/// The command line's shape: one union per command, with the usage text users see.
module CodeTracer.Cli.Arguments

open Argu

/// `codetracer record [options] <app.dll> [-- <program args>]`
type RecordArgs =
    | [<AltCommandLine("-o")>] Out_Dir of dir: string
    | Propagate_Exit_Code
    | No_Propagate_Exit_Code
    | On_Recorder_Error of mode: string
    | Require_Trace
    | No_Require_Trace
    | Keep_Partial_Trace
    | No_Keep_Partial_Trace
    | Json_Errors
    | No_Json_Errors
    | Log_Level of level: string
    | Log_File of path: string
    | Io_Capture of mode: string
    | Max_Depth of n: int
    | Max_Elements of n: int
    | Max_String of n: int
    | [<MainCommand; ExactlyOnce>] Target of app: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Out_Dir _ -> "the trace folder to write (default ./trace-out, or CODETRACER_OUT_DIR)."
            | Propagate_Exit_Code -> "exit with the program's own exit code instead of 0."
            | No_Propagate_Exit_Code -> "exit 0 when recorded, whatever CODETRACER_PROPAGATE_EXIT_CODE says."
            | On_Recorder_Error _ -> "abort | disable: what a recorder failure does (default abort)."
            | Require_Trace -> "fail when the recording holds no call of the program."
            | No_Require_Trace -> "do not require a trace (the default)."
            | Keep_Partial_Trace -> "keep the partial trace of a failed recording."
            | No_Keep_Partial_Trace -> "delete the trace of a failed recording (the default)."
            | Json_Errors -> "on failure, print one JSON trailer line on stderr."
            | No_Json_Errors -> "no JSON trailer (the default)."
            | Log_Level _ -> "trace | debug | info | warn | error (default warn)."
            | Log_File _ -> "write the JSON-lines log to this file instead of stderr."
            | Io_Capture _ -> "off | console: record console output as events (default console)."
            | Max_Depth _ -> "how deep nested values are read (default 3)."
            | Max_Elements _ -> "how many elements of a collection are recorded (default 100)."
            | Max_String _ -> "how many characters of a string are recorded (default 1000)."
            | Target _ -> "the program to record: app.dll (its arguments follow --)."

/// `codetracer <command>`
type CliArgs =
    | Version
    | [<CliPrefix(CliPrefix.None)>] Record of ParseResults<RecordArgs>
    | [<CliPrefix(CliPrefix.None)>] Policy of ParseResults<RecordArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Version -> "print the recorder's version."
            | Record _ -> "record a .NET program into a CodeTracer trace folder."
            | Policy _ -> "print the effective policy for these record options, each value with its source."

/// The program's arguments: everything after the first `--`, unchanged.
let splitProgramArgs (argv: string array) : string array * string array =
    match Array.tryFindIndex ((=) "--") argv with
    | Some i -> argv.[.. i - 1], argv.[i + 1 ..]
    | None -> argv, [||]

/// The first option of `args` that `'Args` does not know (Argu would take it
/// for the main command's value and blame the next word instead).
let unknownOption<'Args when 'Args :> IArgParserTemplate> (args: string array) : string option =
    let known =
        ArgumentParser.Create<'Args>().GetArgumentCases()
        |> List.collect (fun c -> c.CommandLineNames.Value)
        |> Set.ofList
        |> Set.union (set [ "--help"; "-h"; "/?"; "/h" ])
    let isNumber (a: string) = fst (System.Double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture))
    args |> Array.tryFind (fun a -> a.StartsWith "-" && not (known.Contains a) && not (isNumber a))
