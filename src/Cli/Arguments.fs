/// The command line's shape: one union per command, with the usage text users see.
module CodeTracer.Cli.Arguments

open Argu

/// `codetracer record [options] <app.dll> [-- <program args>]`: the policy's options (their help
/// comes from the policy table, see `PolicyOptions`) and the recording's own.
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
    | [<AltCommandLine("-c")>] Configuration of name: string
    | [<AltCommandLine("-f")>] Framework of tfm: string
    | [<CustomAssignmentOrSpaced(":"); AltCommandLine("-p")>] Property of property: string
    | [<MainCommand; ExactlyOnce>] Target of app: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Out_Dir _
            | Propagate_Exit_Code
            | No_Propagate_Exit_Code
            | On_Recorder_Error _
            | Require_Trace
            | No_Require_Trace
            | Keep_Partial_Trace
            | No_Keep_Partial_Trace
            | Json_Errors
            | No_Json_Errors
            | Log_Level _
            | Log_File _
            | Io_Capture _
            | Max_Depth _
            | Max_Elements _
            | Max_String _
            | Max_Trace_Size _
            | Trace_Filter _
            | Format _ -> PolicyOptions.usage a
            | Test -> "the target is an xUnit, NUnit or MSTest project or assembly: run its tests with dotnet test and record the test host (runner arguments such as --filter follow --)."
            | No_Framework_Filters -> "with --test: do not apply the test framework's built-in filter."
            | Activation _ -> "record only from the first entry into a matching method (obj:App.Worker.Run, file:src/Job.cs) until it returns."
            | Configuration _ -> "with a project file: build this configuration (default Debug), as dotnet build -c does."
            | Framework _ -> "with a project file: build and run this target framework (needed when it has several), as dotnet build -f does."
            | Property _ -> "with a project file: an MSBuild property for its build, Name=Value (repeatable: -p:TreatWarningsAsErrors=false)."
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
            | Trace_Filter _ -> PolicyOptions.usage a
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
    let cases = ArgumentParser.Create<'Args>().GetArgumentCases()
    let known =
        cases
        |> List.collect (fun c -> c.CommandLineNames.Value)
        |> Set.ofList
        |> Set.union (set [ "--help"; "-h"; "/?"; "/h" ])
    // `-p:Name=Value`: an option with its value after a colon.
    let assigned =
        cases
        |> List.filter (fun c -> c.CustomAssignmentSeparator.Value.IsSome)
        |> List.collect (fun c -> c.CommandLineNames.Value |> List.map (fun n -> n + ":"))
    let isNumber (a: string) = fst (System.Double.TryParse(a, System.Globalization.CultureInfo.InvariantCulture))
    args
    |> Array.tryFind (fun a ->
        a.StartsWith "-" && not (known.Contains a) && not (isNumber a) && not (assigned |> List.exists (fun p -> a.StartsWith p)))
