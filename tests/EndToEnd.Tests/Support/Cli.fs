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

/// Records a program of tests/programs into a fresh folder, with this text on
/// its stdin; returns the run and the folder.
let recordWithInput (program: string) (programArgs: string list) (stdin: string) : Run * string =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let args = [ Repo.cliDll; "record"; "-o"; out; Repo.program program ] @ (if programArgs.IsEmpty then [] else "--" :: programArgs)
    run "dotnet" args stdin, out

/// Records a program of tests/programs into a fresh folder; returns the run and the folder.
let record (program: string) (programArgs: string list) : Run * string = recordWithInput program programArgs ""

/// ct-validate.py on a trace folder: exit code and output.
let validate (folder: string) (extra: string list) =
    let r = run "python3" ([ Repo.validator; folder ] @ extra) ""
    r.ExitCode, r.Stdout + r.Stderr

/// Starts `codetracer record` on a program and returns the recorder's process
/// once the program printed its first line (its pid, for the "wait" mode of Faults).
let startRecording (args: string list) : Process * string =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    (Repo.cliDll :: "record" :: args) |> List.iter info.ArgumentList.Add
    info.WorkingDirectory <- Repo.root
    let p = Process.Start info
    let rec firstPid () =
        match p.StandardOutput.ReadLine() with
        | null -> failwith "the program ended before printing its pid"
        | line when line.StartsWith "pid " -> line.Substring 4
        | _ -> firstPid ()
    p, firstPid ()

/// Sends a signal to a process (kill -N pid).
let signal (signalName: string) (pid: string) =
    let r = run "kill" [ "-" + signalName; pid ] ""
    if r.ExitCode <> 0 then failwithf "kill -%s %s: %s" signalName pid r.Stderr
