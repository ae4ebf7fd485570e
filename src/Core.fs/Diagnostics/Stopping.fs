namespace CodeTracer.Core.Diagnostics

/// A signal that stops the recorder itself.
type StopSignal =
    /// SIGINT (Ctrl-C; also a cancelled API call).
    | Interrupt
    /// SIGTERM.
    | Terminate

/// Where the recording was when the user stopped the recorder.
type StopPhase =
    /// Build, bootstrap, staging copy, instrumentation: the program never ran.
    | BeforeRun
    /// The program was running: it was stopped too, and its trace ends there.
    | DuringRun
    /// The program had ended on its own; the conversion of its raw log was cut.
    | DuringConversion
    /// Too late to cut anything: the program ran to its end and every record was converted.
    | AfterConversion

/// The user stopped the recorder: with which signal, and when.
type Stop = { Signal: StopSignal; Phase: StopPhase }

/// What a stop means for the recording (recorder.md, "A recording's life" step 5, "Exit codes").
[<RequireQualifiedAccess>]
module Stopping =
    /// 128 + the signal's number, as shells expect of a process a signal stopped.
    let exitCode (signal: StopSignal) : int =
        match signal with
        | Interrupt -> 130
        | Terminate -> 143

    let signalName (signal: StopSignal) : string =
        match signal with
        | Interrupt -> "SIGINT"
        | Terminate -> "SIGTERM"

    /// The phase of a stop that came once the program was launched: the program was stopped, or
    /// else the conversion was cut, or else the trace was already whole.
    let phaseAfterLaunch (programStopped: bool) (conversionCut: bool) : StopPhase =
        if programStopped then DuringRun
        elif conversionCut then DuringConversion
        else AfterConversion

    /// A stop cuts the trace short in these phases (and leaves nothing before the run).
    let cuts (phase: StopPhase) : bool = phase = DuringRun || phase = DuringConversion

    /// May the trace be published? A trace a stop cut short only with keep_partial_trace; a
    /// whole one as the rest of the verdict says; before the run there is none.
    let mayKeep (keepPartialTrace: bool) (phase: StopPhase) : bool =
        match phase with
        | BeforeRun -> false
        | DuringRun
        | DuringConversion -> keepPartialTrace
        | AfterConversion -> true

    /// How long conversion goes on after a stop, in milliseconds: with keep_partial_trace it
    /// converts what the stopped program wrote while it ends (the program gets a second, see
    /// `programGraceMs`), so the recorder still ends within two seconds; without, nothing will be
    /// published, so it stops at once.
    let conversionGraceMs (keepPartialTrace: bool) : int = if keepPartialTrace then 1500 else 0

    /// How long the stopped program gets to end on the signal before it is killed, in milliseconds.
    let programGraceMs : int = 1000

    /// The line the recorder prints for a stop: what happened to the program and to the trace.
    /// `published`: the trace folder, when the trace was published.
    let said (stop: Stop) (published: string option) : string =
        let name = signalName stop.Signal
        match stop.Phase, published with
        | BeforeRun, _ -> sprintf "stopped by %s before the program ran; nothing was recorded" name
        | DuringRun, Some dir -> sprintf "stopped by %s while the program ran: the program was stopped; the partial trace is in %s (keep_partial_trace)" name dir
        | DuringRun, None -> sprintf "stopped by %s while the program ran: the program was stopped; no trace was published (--keep-partial-trace keeps what was recorded)" name
        | DuringConversion, Some dir -> sprintf "stopped by %s during conversion: the trace converted so far is in %s, partial (keep_partial_trace)" name dir
        | DuringConversion, None -> sprintf "stopped by %s during conversion: no trace was published (--keep-partial-trace keeps what was converted)" name
        | AfterConversion, Some dir -> sprintf "stopped by %s as the trace was published: it is whole, in %s" name dir
        | AfterConversion, None -> sprintf "stopped by %s after the conversion; no trace was published" name
