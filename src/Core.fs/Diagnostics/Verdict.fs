namespace CodeTracer.Core.Diagnostics

open CodeTracer.Core.Common
open CodeTracer.Core.Policy
open CodeTracer.Core.Recording

/// What happened during a recording, as the shell observed it.
type RunFacts =
    { ProgramExitCode: int
      /// A failure of the recorder itself (runtime, conversion, finalisation), if any.
      RecorderFailure: RecorderError option
      /// Every call returned.
      Balanced: bool
      /// The raw log ended inside a chunk (the program was killed while writing).
      Truncated: bool
      /// The user stopped the recorder (SIGINT, SIGTERM) once the program was launched, and when.
      Stopped: Stop option
      /// The program's exit handlers ran, so every buffer was flushed.
      CleanExit: bool
      /// Calls recorded besides `<toplevel>`.
      RecordedCalls: int64
      /// Capture stopped when the raw log reached max_trace_size: the size, in bytes.
      CaptureStopped: int64 option }

/// What the recorder does about it.
type Verdict =
    { Outcome: Outcome
      /// Publish the trace folder (false: delete what was written).
      KeepTrace: bool
      /// The failure that makes the run fail (exit 1), if any.
      Error: RecorderError option
      /// A failure the policy tolerated: reported, not fatal.
      Warning: RecorderError option
      ExitCode: int }

/// The one rule from facts and policy to outcome and exit code (recorder.md,
/// "Policy" and "Exit codes").
[<RequireQualifiedAccess>]
module Verdict =
    let private programExit (policy: Policy) (facts: RunFacts) =
        ExitCode.ofRecording policy.PropagateExitCode.Value facts.ProgramExitCode

    let private failed (policy: Policy) (e: RecorderError) =
        { Outcome = Failed
          KeepTrace = policy.KeepPartialTrace.Value
          Error = Some e
          Warning = None
          ExitCode = RecorderError.exitCode e }

    /// The error of a recording that recorded nothing while require_trace is on.
    let traceMissing =
        RecorderError.create Internal "ERR_TRACE_MISSING" "the recording holds no call of the program (require_trace is on)"

    /// The trace a stop cut short (the program's run or the conversion).
    let private cut (facts: RunFacts) = facts.Stopped |> Option.exists (fun s -> Stopping.cuts s.Phase)

    let private unstopped (policy: Policy) (facts: RunFacts) : Verdict =
        match facts.RecorderFailure, policy.OnRecorderError.Value with
        | Some e, Abort -> failed policy e
        | Some e, Disable ->
            { Outcome = Disabled; KeepTrace = true; Error = None; Warning = Some e; ExitCode = programExit policy facts }
        | None, _ when policy.RequireTrace.Value && facts.RecordedCalls = 0L -> failed policy traceMissing
        | None, _ ->
            let complete = facts.Balanced && facts.CleanExit && not facts.Truncated && not (cut facts)
            { Outcome = (if facts.CaptureStopped.IsSome then Truncated elif complete then Complete else Partial)
              KeepTrace = true
              Error = None
              Warning = None
              ExitCode = programExit policy facts }

    /// A stop of the recorder wins the exit code (128 + the signal), and a trace it cut short is
    /// published only with keep_partial_trace; otherwise the rule is the same.
    let decide (policy: Policy) (facts: RunFacts) : Verdict =
        let verdict = unstopped policy facts
        match facts.Stopped with
        | None -> verdict
        | Some stop ->
            { verdict with
                KeepTrace = verdict.KeepTrace && Stopping.mayKeep policy.KeepPartialTrace.Value stop.Phase
                ExitCode = Stopping.exitCode stop.Signal }

    /// What trace_metadata.json says about how the run ended beyond its outcome
    /// (`notes`): termination, exit handlers, the program's faults, a cut raw log,
    /// open calls, the recorder's own error. `signalsInExitCode`: on Unix an exit
    /// code above 128 means the program died of signal code-128.
    let notes (signalsInExitCode: bool) (faults: string list) (facts: RunFacts) (verdict: Verdict) : (string * string) list =
        let conversionCut = facts.Stopped |> Option.exists (fun s -> s.Phase = DuringConversion)
        [ match facts.Stopped with
          | Some { Signal = signal; Phase = DuringRun } ->
              yield "termination", sprintf "interrupted by the user (%s to the recorder)" (Stopping.signalName signal)
          | _ when signalsInExitCode && facts.ProgramExitCode > 128 ->
              yield "termination", sprintf "killed by signal %d" (facts.ProgramExitCode - 128)
          | _ -> ()
          match facts.Stopped with
          | Some { Signal = signal; Phase = DuringConversion } ->
              yield "conversion", sprintf "stopped by the user (%s to the recorder): the trace ends where conversion stopped, not where the program did" (Stopping.signalName signal)
          | _ -> ()
          match facts.CaptureStopped with
          | Some size ->
              yield "max_trace_size",
                    sprintf "capture stopped when the raw log reached %s (max_trace_size): the trace ends there, each call then open returns <truncated>, and the program ran on unrecorded" (PolicyValues.sizeText size)
          | None ->
              // After a detach nothing more is written, the exit marker neither: whether the
              // handlers ran is unknown, and the recorder's error says why the trace ends.
              if not facts.CleanExit && not (cut facts) && facts.RecorderFailure.IsNone then
                  yield "exit_handlers", "did not run (killed, FailFast or a crash): the trace ends where the program stopped"
          for fault in faults do
              yield "program_fault", "unhandled exception " + fault
          if facts.Truncated then
              yield "raw_log", "ends inside a record: the program stopped while writing it"
          if conversionCut && not facts.Balanced then
              yield "open_calls", "some calls are open where the conversion stopped"
          elif not facts.Balanced then
              yield "open_calls", "some calls never returned (the program exited or died inside them)"
          for e in Option.toList verdict.Warning @ Option.toList verdict.Error do
              yield "recorder_error", sprintf "%s: %s" e.Code e.Message ]
