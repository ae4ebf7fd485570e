/// Runs a command to its end, capturing its output and watching its memory.
module CodeTracer.Bench.ChildProcess

open System.Diagnostics
open System.Threading

type Finished = { ExitCode: int; Stdout: string; Stderr: string; Peaks: ChildMemory.Peaks }

/// Runs `dotnet args` with the given environment changes (None removes a variable).
let dotnet (args: string list) (env: (string * string option) list) : Finished =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    args |> List.iter info.ArgumentList.Add
    for name, value in env do
        match value with
        | Some v -> info.Environment.[name] <- v
        | None -> info.Environment.Remove name |> ignore
    use p = Process.Start info |> nonNull
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    use exited = new ManualResetEvent(false)
    let waiter = Thread(fun () -> p.WaitForExit(); exited.Set() |> ignore)
    waiter.Start()
    let peaks = ChildMemory.watch p exited
    waiter.Join()
    { ExitCode = p.ExitCode; Stdout = stdout.Result; Stderr = stderr.Result; Peaks = peaks }
