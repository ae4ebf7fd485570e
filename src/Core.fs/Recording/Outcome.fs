namespace CodeTracer.Core.Recording

/// How a recording ended. The words are recorder.md's (`outcome` in trace_metadata.json, the
/// CLI's summary line, the facade's enum); `Outcome.text` is the one place that spells them.
type Outcome =
    | Complete
    | Partial
    /// Capture stopped at max_trace_size; the program ran on unrecorded.
    | Truncated
    | Disabled
    | Failed
    /// CODETRACER_DISABLED: the program ran without the recorder, so there is no trace and
    /// no metadata; only the facade and the CLI see this one.
    | Unrecorded

[<RequireQualifiedAccess>]
module Outcome =
    /// Every outcome, in declaration order.
    let all = [ Complete; Partial; Truncated; Disabled; Failed; Unrecorded ]

    /// The outcome as trace_metadata.json and the CLI spell it.
    let text =
        function
        | Complete -> "complete"
        | Partial -> "partial"
        | Truncated -> "truncated"
        | Disabled -> "disabled"
        | Failed -> "failed"
        | Unrecorded -> "unrecorded"

    /// The outcome a metadata file names, if it is one of ours.
    let tryParse (word: string) : Outcome option = all |> List.tryFind (fun o -> text o = word)
