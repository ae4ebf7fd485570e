/// shared/tools/ct-validate.py, run on a temporary trace folder: the reference
/// the core's encoder, conversion and validator are checked against, when it is there.
module CodeTracer.Core.Tests.CtValidate

open System
open System.Diagnostics
open System.IO

/// The repository root: the folder holding CodeTracer.sln above the test binary.
let private repositoryRoot =
    lazy
        (let rec up (dir: DirectoryInfo | null) =
            match dir with
            | null -> failwith "CodeTracer.sln not found above the test binary"
            | d when File.Exists(Path.Combine(d.FullName, "CodeTracer.sln")) -> d.FullName
            | d -> up d.Parent
         up (DirectoryInfo AppContext.BaseDirectory))

/// The script, or None in a clone of the repository alone (no ../shared beside it).
let script: string option =
    let path = lazy (Path.GetFullPath(Path.Combine(repositoryRoot.Force(), "..", "shared", "tools", "ct-validate.py")))
    if File.Exists path.Value then Some path.Value
    else
        printfn "ct-validate.py not found at %s: cross-checks with it are skipped; the core's validator is the gate" path.Value
        None

/// Runs ct-validate.py (with `extraArgs`) on a fresh folder holding these three
/// files, then deletes it: the exit code and everything it printed; None when the script is absent.
let run (extraArgs: string list) (trace: byte array, paths: byte array, meta: byte array) : (int * string) option =
    script
    |> Option.map (fun script ->
        let folder = Path.Combine(Path.GetTempPath(), "ct-validate-" + Guid.NewGuid().ToString("N"))
        Directory.CreateDirectory folder |> ignore
        try
            File.WriteAllBytes(Path.Combine(folder, "trace.json"), trace)
            File.WriteAllBytes(Path.Combine(folder, "trace_paths.json"), paths)
            File.WriteAllBytes(Path.Combine(folder, "trace_metadata.json"), meta)
            let psi = ProcessStartInfo("python3", Array.ofList (script :: folder :: extraArgs))
            psi.RedirectStandardOutput <- true
            psi.RedirectStandardError <- true
            use p =
                match Process.Start psi with
                | null -> failwith "python3 did not start"
                | p -> p
            let out = p.StandardOutput.ReadToEndAsync()
            let err = p.StandardError.ReadToEnd()
            p.WaitForExit()
            p.ExitCode, out.Result + err
        finally
            Directory.Delete(folder, true))
