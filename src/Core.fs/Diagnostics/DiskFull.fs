/// A full disk, wherever it stops the recording (the raw log inside the program, the trace
/// being written, the staging copy): one error, `ERR_DISK_FULL`, naming the path. The runtime
/// reports it through the Detach record's text, in the form `detachReason` makes (the runtime
/// may depend on nothing, so it writes the same form itself; a Shell test checks).
[<RequireQualifiedAccess>]
module CodeTracer.Core.Diagnostics.DiskFull

open CodeTracer.Core.Common

/// The error's code.
[<Literal>]
let Code = "ERR_DISK_FULL"

/// The error: which path could not be written, and what the system said.
let error (path: string) (detail: string) : RecorderError =
    RecorderError.create Environment Code (sprintf "%s: the disk is full (%s)" path detail)
    |> RecorderError.withContext "path" path

/// The Detach reason the runtime writes when the raw log cannot grow: the code, the path and
/// the system's words, separated by tabs.
let detachReason (path: string) (detail: string) : string = Code + "\t" + path + "\t" + detail.Replace('\t', ' ')

/// The error a Detach reason stands for, when it is a full disk's (the path may hold tabs; the
/// detail holds none).
let ofDetachReason (reason: string) : RecorderError option =
    let first = reason.IndexOf '\t'
    let last = reason.LastIndexOf '\t'
    if first > 0 && last > first && reason.Substring(0, first) = Code then
        Some(error (reason.Substring(first + 1, last - first - 1)) (reason.Substring(last + 1)))
    else None
