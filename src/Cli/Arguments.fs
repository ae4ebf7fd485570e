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
    | Max_Trace_Size of size: string
    | Trace_Filter of path: string
    | Test
    | No_Framework_Filters
    | Activation of selector: string
    | Format of format: string
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
            | Max_Trace_Size _ -> "stop capturing once the raw log reaches this size (500M, 8G, ...; default 4G; 0: no limit): the program runs on unrecorded and the trace is truncated there."
            | Trace_Filter _ -> "a trace filter file, applied after the project's (repeatable; :: joins paths)."
            | Test -> "the target is an xUnit, NUnit or MSTest project or assembly: run its tests with dotnet test and record the test host (runner arguments such as --filter follow --)."
            | No_Framework_Filters -> "with --test: do not apply the test framework's built-in filter."
            | Activation _ -> "record only from the first entry into a matching method (obj:App.Worker.Run, file:src/Job.cs) until it returns."
            | Format _ -> "binary | json: write trace.bin (the default; CBOR events in zstd frames) or trace.json."
            | Target _ -> "the program to record: app.dll, App.csproj or App.fsproj (its arguments follow --); with --test, the test project or assembly."

/// `codetracer validate <trace-dir> [--partial]`
type ValidateArgs =
    | Partial
    | [<MainCommand; ExactlyOnce>] Trace_Dir of trace_dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Partial -> "allow calls that never return (a trace cut short by a crash)."
            | Trace_Dir _ ->
                "the trace folder (trace.bin or trace.json, trace_paths.json, trace_metadata.json). Exit 0 and "
                + "'OK: N events, N steps, N calls, N functions' when it follows every rule of the trace format; "
                + "exit 1 and one 'ERROR where: message' line per problem when not; exit 2 when the folder or a file is missing."

/// `codetracer print <trace-dir> [--summary | --calls | --json] [--depth N] [--width N]`
type PrintArgs =
    | Summary
    | Calls
    | Json
    | Depth of n: int
    | Width of n: int
    | [<MainCommand; ExactlyOnce>] Trace_Dir of trace_dir: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Summary ->
                "(the default) the program, outcome and exit code, the counts, the functions by calls "
                + "(the --width most called) and the filter chain."
            | Calls ->
                "the call tree, two spaces a level, one call a line: 'Name(types) arg=value, ... → returned' "
                + "('→ (no return)' for a call left open); values as short text: 3, \"text\", 'c', [1, 2], (1, 2), "
                + "Type{Field: 1}, Red, Some(3), null, error: message. Calls cut by --depth or --width show "
                + "as one '… N more calls' line."
            | Json -> "the events, one JSON object a line, as trace.json has them (also for a trace.bin: its events in JSON)."
            | Depth _ -> "with --calls: how many levels of calls to show (default 10; <toplevel> is level 1)."
            | Width _ -> "with --calls: how many calls to show under one call (default 20); with --summary: how many functions."
            | Trace_Dir _ -> "the trace folder to print."

/// `codetracer filters check <filter.toml>...`
type FiltersCheckArgs =
    | [<MainCommand; Mandatory>] Files of file: string list

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Files _ -> "the filter files to check; every error is printed as file:line:column: message."

/// `codetracer filters explain <app.dll> [--method PATTERN]`
type FiltersExplainArgs =
    | Method of pattern: string
    | Test
    | Trace_Filter of path: string
    | [<MainCommand; ExactlyOnce>] Target of app: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Method _ -> "only the methods whose Namespace.Type.Method matches this glob."
            | Test -> "the target is a test assembly: add its test framework's built-in filter, as record --test does."
            | Trace_Filter _ -> "a trace filter file added after the project's (repeatable; :: joins paths)."
            | Target _ -> "the application whose methods to explain."

/// `codetracer filters <check | explain>`
type FiltersArgs =
    | [<CliPrefix(CliPrefix.None)>] Check of ParseResults<FiltersCheckArgs>
    | [<CliPrefix(CliPrefix.None)>] Explain of ParseResults<FiltersExplainArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Check _ -> "validate filter files (exit 0, or 2 with every located error)."
            | Explain _ -> "for each method: traced or skipped and by which rule, and each variable's action and why."

/// `codetracer <command>`
type CliArgs =
    | Version
    | [<CliPrefix(CliPrefix.None)>] Record of ParseResults<RecordArgs>
    | [<CliPrefix(CliPrefix.None)>] Policy of ParseResults<RecordArgs>
    | [<CliPrefix(CliPrefix.None)>] Filters of ParseResults<FiltersArgs>
    | [<CliPrefix(CliPrefix.None)>] Print of ParseResults<PrintArgs>
    | [<CliPrefix(CliPrefix.None)>] Validate of ParseResults<ValidateArgs>

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Version -> "print the recorder's version."
            | Record _ -> "record a .NET program into a CodeTracer trace folder."
            | Policy _ -> "print the effective policy for these record options, each value with its source."
            | Filters _ -> "check trace filter files, or explain what they decide for an application's methods."
            | Print _ -> "print a trace folder: a summary, the call tree or the events."
            | Validate _ -> "check a trace folder against every rule of the trace format (as ct-validate.py does)."

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
