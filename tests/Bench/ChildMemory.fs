/// Peak memory of this process (getrusage) and of the programs it runs (Linux only).
module CodeTracer.Bench.ChildMemory

open System
open System.IO
open System.Runtime.InteropServices
open System.Threading

// struct rusage is 144 bytes on 64-bit Linux; ru_maxrss (KiB) follows the two timevals.
[<DllImport("libc", SetLastError = true)>]
extern int private getrusage(int who, byte[] usage)

/// Peak resident memory of the recorder itself, in MiB.
let selfPeakMb () =
    let usage = Array.zeroCreate<byte> 144
    if OperatingSystem.IsLinux() && getrusage(0, usage) = 0 then float (BitConverter.ToInt64(usage, 32)) / 1024.0 else nan

/// VmHWM (KiB) of each running child of this process. RUSAGE_CHILDREN would not do:
/// a child's ru_maxrss starts at the parent's size when it forks, so after a large
/// conversion every later program would look as large as the recorder.
let private childrenPeaksKb () =
    let self = string Environment.ProcessId
    [ for dir in Directory.EnumerateDirectories "/proc" do
          try
              let status = File.ReadAllLines(Path.Combine(dir, "status"))
              let field (name: string) = status |> Array.tryFind (fun l -> l.StartsWith name) |> Option.map (fun l -> l.Substring(name.Length).Trim())
              if field "PPid:" = Some self then
                  match field "VmHWM:" with
                  | Some v -> yield int64 (v.Split(' ').[0])
                  | None -> ()
          with :? IOException | :? UnauthorizedAccessException -> () ]

/// Runs `work` while watching the peak memory of this process's children; returns its result and that peak in MiB.
let watchChildren (work: unit -> 'T) : 'T * float =
    if not (OperatingSystem.IsLinux()) then work (), nan
    else
        let mutable peak = 0L
        use stop = new ManualResetEventSlim(false)
        let watcher =
            Thread(fun () ->
                while not (stop.Wait 20) do
                    for kb in childrenPeaksKb () do
                        if kb > peak then peak <- kb)
        watcher.Start()
        let result = work ()
        stop.Set()
        watcher.Join()
        result, float peak / 1024.0
