/// Peak resident memory of a process the bench starts and of that process's own
/// children, from their VmHWM in /proc (Linux only; NaN elsewhere).
module CodeTracer.Bench.ChildMemory

open System
open System.Diagnostics
open System.IO
open System.Threading

/// Peaks in MiB: the started process, and the largest of its children (the recorded program, under the recorder).
type Peaks = { Self: float; Children: float }

let private status (pid: int) : string array =
    try File.ReadAllLines(Path.Combine("/proc", string pid, "status"))
    with :? IOException | :? UnauthorizedAccessException -> [||]

let private field (name: string) (lines: string array) : string option =
    lines |> Array.tryFind (fun l -> l.StartsWith name) |> Option.map (fun l -> l.Substring(name.Length).Trim())

let private hwmKb (lines: string array) : int64 =
    match field "VmHWM:" lines with
    | Some v -> int64 (v.Split(' ').[0])
    | None -> 0L

let private childrenOf (pid: int) : int list =
    let parent = Some(string pid)
    [ for dir in Directory.EnumerateDirectories "/proc" do
          match Int32.TryParse(Path.GetFileName dir) with
          | true, child when field "PPid:" (status child) = parent -> yield child
          | _ -> () ]

/// Polls the process and its children every 20 ms until `exited` is set. VmHWM is a
/// high-water mark, so polling loses at most the growth of the last 20 ms; reading it
/// per process (not RUSAGE_CHILDREN) keeps each recording's figure its own.
let watch (p: Process) (exited: WaitHandle) : Peaks =
    if not (OperatingSystem.IsLinux()) then { Self = nan; Children = nan }
    else
        let mutable self = 0L
        let mutable children = 0L
        let poll () =
            self <- max self (hwmKb (status p.Id))
            for child in childrenOf p.Id do
                children <- max children (hwmKb (status child))
        poll ()
        while not (exited.WaitOne 20) do
            poll ()
        { Self = float self / 1024.0; Children = float children / 1024.0 }
