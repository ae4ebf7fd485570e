/// The recorder's benchmark: a CPU-bound program run plain and recorded.
module CodeTracer.Bench.Program

open System
open System.Diagnostics
open System.IO
open CodeTracer.Core.Policy
open CodeTracer.Shell
open CodeTracer.Shell.Session

let private runPlain (dll: string) (args: string list) =
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true)
    info.ArgumentList.Add dll
    args |> List.iter info.ArgumentList.Add
    let clock = Stopwatch.StartNew()
    use p = Process.Start info |> nonNull
    p.StandardOutput.ReadToEnd() |> ignore
    p.WaitForExit()
    clock.Elapsed

let private bench (root: string) (name: string) (args: string list) =
    let dll = Path.Combine(root, "tests", "programs", name, "bin", "Release", "net10.0", name + ".dll")
    let out = Path.Combine(Path.GetTempPath(), "ct-bench-" + name)
    runPlain dll args |> ignore // warm the disk cache
    let plain = runPlain dll args
    let policy = PolicyResolver.Resolve { PolicyLayer.empty with OutDir = Some out }
    let result, programPeak =
        ChildMemory.watchChildren (fun () ->
            Recorder.RecordAsync(RecordRequest(dll, List.toArray args, policy), Diagnostics.Logger(policy)).GetAwaiter().GetResult())
    let traceFile = PolicyValues.traceFileName policy.Format.Value
    let traceBytes = FileInfo(Path.Combine(out, traceFile)).Length
    let recorded = result.RecordedIn.TotalSeconds
    printfn "%s %s" name (String.Join(" ", args))
    printfn "  plain run           %8.2f s" plain.TotalSeconds
    printfn "  recorded run        %8.2f s   (%.1fx plain)" recorded (recorded / plain.TotalSeconds)
    printfn "  conversion          %8.2f s" result.ConvertedIn.TotalSeconds
    printfn "  steps               %12d" result.Steps
    printfn "  calls               %12d" result.Calls
    printfn "  trace events        %12d   (%.1f M events/s captured)" result.Events (float result.Events / recorded / 1e6)
    printfn "  raw log             %8.1f MiB (%.1f bytes/step)" (float result.RawLogBytes / 1048576.0) (float result.RawLogBytes / float result.Steps)
    printfn "  %-19s %8.1f MiB (%.1f bytes/step)" traceFile (float traceBytes / 1048576.0) (float traceBytes / float result.Steps)
    printfn "  peak memory         recorder %.0f MiB, program %.0f MiB" (ChildMemory.selfPeakMb ()) programPeak
    Directory.Delete(out, true)

[<EntryPoint>]
let main argv =
    let root = if argv.Length > 0 then argv.[0] else Directory.GetCurrentDirectory()
    bench root "Busy" [ "35000" ]
    bench root "Shapes" [ "2000" ]
    FilterBench.run ()
    0
