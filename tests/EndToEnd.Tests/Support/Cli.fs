/// Running processes: the recorder's CLI, the programs themselves, the validator.
module CodeTracer.EndToEnd.Tests.Cli

open System.Diagnostics
open System.IO

type Run = { ExitCode: int; Stdout: string; Stderr: string }

/// Runs a process with extra environment variables and this text on its stdin.
let runWithEnv (env: (string * string) list) (exe: string) (args: string list) (stdin: string) : Run =
    let info = ProcessStartInfo(exe, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true)
    args |> List.iter info.ArgumentList.Add
    for k, v in env do
        info.Environment.[k] <- v
    info.WorkingDirectory <- Repo.root
    use p = Process.Start info
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    p.StandardInput.Write stdin
    p.StandardInput.Close()
    if not (p.WaitForExit 120_000) then
        p.Kill true
        failwithf "%s %A did not finish in 120 s" exe args
    { ExitCode = p.ExitCode; Stdout = out.Result; Stderr = err.Result }

let run exe args stdin = runWithEnv [] exe args stdin

/// `codetracer <args>`
let codetracer (args: string list) = run "dotnet" (Repo.cliDll :: args) ""

/// Runs a program unrecorded.
let plain (program: string) (args: string list) = run "dotnet" (Repo.program program :: args) ""

/// Records a program of tests/programs into a fresh folder with these record options and
/// this text on its stdin; returns the run and the folder.
let recordWith (options: string list) (program: string) (programArgs: string list) (stdin: string) : Run * string =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let args = [ Repo.cliDll; "record"; "-o"; out ] @ options @ [ Repo.program program ] @ (if programArgs.IsEmpty then [] else "--" :: programArgs)
    run "dotnet" args stdin, out

/// Records a program of tests/programs into a fresh folder, with this text on
/// its stdin; returns the run and the folder.
let recordWithInput (program: string) (programArgs: string list) (stdin: string) : Run * string =
    recordWith [] program programArgs stdin

/// Records a program of tests/programs into a fresh folder; returns the run and the folder.
let record (program: string) (programArgs: string list) : Run * string = recordWithInput program programArgs ""

/// Said once, the first time a cross-check finds no ct-validate.py (a clone of the
/// repository alone has no ../shared).
let private noCtValidate =
    lazy (printfn "ct-validate.py not found at %s: cross-checks with it are skipped; codetracer validate is the gate" Repo.validator)

/// ct-validate.py's exit code and output on a trace folder, or None when the script is
/// absent. It reads only trace.json (and has no zstd): a trace.bin is given to it as the
/// trace.json that `codetracer print --json` makes of it, beside copies of the side files.
let ctValidate (folder: string) (extra: string list) : (int * string) option =
    if not (File.Exists Repo.validator) then
        noCtValidate.Force()
        None
    elif File.Exists(Path.Combine(folder, "trace.json")) then
        let r = run "python3" ([ Repo.validator; folder ] @ extra) ""
        Some(r.ExitCode, r.Stdout + r.Stderr)
    else
        let printed = codetracer [ "print"; folder; "--json" ]
        if printed.ExitCode <> 0 then Some(printed.ExitCode, "codetracer print --json: " + printed.Stderr)
        else
            let view = Path.Combine(Repo.tempFolder (), "trace")
            Directory.CreateDirectory view |> ignore
            let lines = printed.Stdout.Split('\n') |> Array.filter ((<>) "")
            File.WriteAllText(Path.Combine(view, "trace.json"), "[\n" + String.concat ",\n" lines + "\n]\n")
            for file in [ "trace_paths.json"; "trace_metadata.json" ] do
                File.Copy(Path.Combine(folder, file), Path.Combine(view, file))
            let r = run "python3" ([ Repo.validator; view ] @ extra) ""
            Some(r.ExitCode, r.Stdout + r.Stderr)

/// The gate of every test that validates a recording: `codetracer validate`, and
/// ct-validate.py's cross-check when present. Exit 0 when each accepts, else the first
/// refusal's code; everything they printed.
let validate (folder: string) (extra: string list) : int * string =
    let ours = codetracer ([ "validate"; folder ] @ extra)
    let oursText = "codetracer validate: " + ours.Stdout + ours.Stderr
    match ctValidate folder extra with
    | None -> ours.ExitCode, oursText
    | Some(code, output) -> (if ours.ExitCode <> 0 then ours.ExitCode else code), oursText + "\nct-validate.py: " + output

/// Starts `codetracer record` on a program and returns the recorder's process
/// once the program printed its first line (its pid, for the "wait" mode of Faults).
let startRecordingWithEnv (env: (string * string) list) (args: string list) : Process * string =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    (Repo.cliDll :: "record" :: args) |> List.iter info.ArgumentList.Add
    for k, v in env do
        info.Environment.[k] <- v
    info.WorkingDirectory <- Repo.root
    let p = Process.Start info
    let rec firstPid () =
        match p.StandardOutput.ReadLine() with
        | null -> failwith "the program ended before printing its pid"
        | line when line.StartsWith "pid " -> line.Substring 4
        | _ -> firstPid ()
    p, firstPid ()

let startRecording (args: string list) : Process * string = startRecordingWithEnv [] args

/// Sends a signal to a process (kill -N pid).
let signal (signalName: string) (pid: string) =
    let r = run "kill" [ "-" + signalName; pid ] ""
    if r.ExitCode <> 0 then failwithf "kill -%s %s: %s" signalName pid r.Stderr
