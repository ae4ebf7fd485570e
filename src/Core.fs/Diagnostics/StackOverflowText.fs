/// What the .NET runtime prints when a recorded program overflows its stack, made to read as it
/// does unrecorded. Unrecorded, the runtime prints "Stack overflow." and the frames, folding the
/// largest sequence of frames repeated from the top of the stack ("Repeated N times:"). Recorded,
/// the overflow may strike inside one of the recorder's probes, whose frames then top the stack:
/// the runtime (10.0) finds no repetition from there and prints every frame, hundreds of
/// thousands of lines. The recorder's runtime sends that output to a file (see
/// Runtime/StartupHook.cs), and the shell prints it through `fold`.
[<RequireQualifiedAccess>]
module CodeTracer.Core.Diagnostics.StackOverflowText

let private frameWord = "   at "

let private isFrame (line: string) = line.StartsWith frameWord

/// The recorder's runtime: a frame of it, and the ones it called above it, are not the program's.
let private isRecorderFrame (line: string) = line.StartsWith(frameWord + "CodeTracer.Runtime.")

/// How far down the stack the recorder's frames are looked for: a probe and what it calls.
let private recorderDepth = 16

/// The separator the runtime prints around a repeated sequence.
let separator = "--------------------------------"

/// The runtime's folding: the largest sequence of frames repeated (at least twice) from the
/// top, printed once with its count, when that shortens the output.
let foldFrames (frames: string array) : string list =
    let n = frames.Length
    let mutable best = (0, 0) // (length, repeat)
    if n > 0 then
        let mutable start = -1
        for i in 1 .. n - 1 do
            if start <> -1 && frames.[i - start] <> frames.[i] then
                let repeat = i / start
                if repeat >= 2 then best <- (start, repeat)
                start <- -1
            if start = -1 && frames.[i] = frames.[0] then start <- i
        if start <> -1 then
            let repeat = n / start
            if repeat >= 2 then best <- (start, repeat)
    let length, repeat = best
    if length = 0 || length * repeat < 4 then List.ofArray frames
    else
        [ sprintf "Repeated %d times:" repeat
          separator
          yield! frames.[0 .. length - 1]
          separator
          yield! frames.[length * repeat ..] ]

/// The runtime's words when a program dies of a stack overflow.
let private header = "Stack overflow."

/// Whether the text says the program died of a stack overflow.
let overflowed (lines: string list) : bool = List.contains header lines

/// The program fault a stack overflow is, in the trace's notes (the runtime calls no handler
/// for it, so the recorder's runtime could not write it).
let fault = "System.StackOverflowException"

/// The runtime's stack overflow text as it reads unrecorded: lines before "Stack overflow."
/// pass unchanged; of the frames after it, the recorder's own at the top (a probe, and what it
/// called) are dropped, and the rest folded as the runtime folds them.
let fold (lines: string list) : string list =
    match List.tryFindIndex (fun (l: string) -> l = header) lines with
    | None -> lines
    | Some at ->
        let before, after = List.splitAt (at + 1) lines
        let frames = after |> List.takeWhile isFrame |> Array.ofList
        let rest = after |> List.skip frames.Length
        let recorder =
            frames
            |> Array.truncate recorderDepth
            |> Array.tryFindIndexBack isRecorderFrame
            |> Option.map ((+) 1)
            |> Option.defaultValue 0
        before @ foldFrames frames.[recorder..] @ rest
