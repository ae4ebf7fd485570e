/// Folders the recorder makes outside the trace (the staging copy, the diagnostics port's
/// folder, the scratch folder beside the output folder) each hold an owner file naming the
/// recorder and the processes that use them. A recorder killed with -9 leaves them behind; a
/// later run removes those whose processes are all gone, and only those.
[<RequireQualifiedAccess>]
module CodeTracer.Core.Recording.Leftovers

open System

/// A process as the system knows it: its id, and when it started, in UTC ticks (ids are reused).
type ProcessStamp = { Pid: int; StartedAt: int64 }

/// Who made a folder and who uses it: the recorder process first, the recorded program once started.
type Owner = { Recorder: string; Processes: ProcessStamp list }

/// The owner file's name, inside each such folder.
[<Literal>]
let FileName = ".codetracer-owner"

/// Two start times this close are one process: the system derives a start time from the boot
/// time, whose reading can move a little. A process started later with a reused id is far
/// further apart (the first had to end and the ids come round); misjudging one only keeps a
/// folder until a later run.
let sameProcessWithin = TimeSpan.FromSeconds(10.0).Ticks

/// The owner file's text: `recorder NAME`, then `process PID STARTED` per process.
let toText (owner: Owner) : string =
    let lines =
        ("recorder " + owner.Recorder)
        :: [ for p in owner.Processes -> sprintf "process %d %d" p.Pid p.StartedAt ]
    String.Join("\n", lines) + "\n"

/// The owner a file's text names, if it is one this code wrote: anything else (a foreign or
/// damaged file) is no owner, and a folder without an owner is never removed.
let parse (text: string) : Owner option =
    let lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    let proc (line: string) =
        match line.Split(' ') with
        | [| "process"; pid; started |] ->
            match Int32.TryParse pid, Int64.TryParse started with
            | (true, p), (true, s) when p > 0 -> Some { Pid = p; StartedAt = s }
            | _ -> None
        | _ -> None
    match lines with
    | (first: string) :: rest when first.StartsWith "recorder " && first.Length > "recorder ".Length && not rest.IsEmpty ->
        let processes = List.map proc rest
        if List.forall Option.isSome processes then
            Some { Recorder = first.Substring "recorder ".Length; Processes = List.choose id processes }
        else None
    | _ -> None

/// The owner with one more process using the folder.
let withProcess (p: ProcessStamp) (owner: Owner) : Owner = { owner with Processes = owner.Processes @ [ p ] }

/// What the system says of a process id now.
type ProcessState =
    /// No process has this id.
    | NoProcess
    /// A process with this id started then (UTC ticks).
    | StartedAt of int64
    /// A process with this id exists, but its start cannot be read (another user's).
    | StartUnknown

/// Whether a folder may be removed: its owner file names this recorder, and none of its
/// processes still runs (`state pid` says what has that id now): each is gone, or its id now
/// belongs to a process started at another time.
let isStale (recorder: string) (state: int -> ProcessState) (owner: Owner option) : bool =
    match owner with
    | Some o when o.Recorder = recorder && not o.Processes.IsEmpty ->
        o.Processes
        |> List.forall (fun p ->
            match state p.Pid with
            | NoProcess -> true
            | StartedAt s -> abs (s - p.StartedAt) > sameProcessWithin
            | StartUnknown -> false)
    | _ -> false
