namespace CodeTracer.Core.Diagnostics

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
      /// The user stopped the recording (Ctrl-C, SIGTERM).
      Interrupted: bool
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

    let decide (policy: Policy) (facts: RunFacts) : Verdict =
        match facts.RecorderFailure, policy.OnRecorderError.Value with
        | Some e, Abort -> failed policy e
        | Some e, Disable ->
            { Outcome = Disabled; KeepTrace = true; Error = None; Warning = Some e; ExitCode = programExit policy facts }
        | None, _ when policy.RequireTrace.Value && facts.RecordedCalls = 0L -> failed policy traceMissing
        | None, _ ->
            let complete = facts.Balanced && facts.CleanExit && not facts.Truncated && not facts.Interrupted
            { Outcome = (if facts.CaptureStopped.IsSome then Truncated elif complete then Complete else Partial)
              KeepTrace = true
              Error = None
              Warning = None
              ExitCode = programExit policy facts }

    /// What trace_metadata.json says about how the run ended beyond its outcome
    /// (`notes`): termination, exit handlers, the program's faults, a cut raw log,
    /// open calls, the recorder's own error. `signalsInExitCode`: on Unix an exit
    /// code above 128 means the program died of signal code-128.
    let notes (signalsInExitCode: bool) (faults: string list) (facts: RunFacts) (verdict: Verdict) : (string * string) list =
        [ if facts.Interrupted then
              yield "termination", "interrupted by the user (Ctrl-C or SIGTERM)"
          elif signalsInExitCode && facts.ProgramExitCode > 128 then
              yield "termination", sprintf "killed by signal %d" (facts.ProgramExitCode - 128)
          match facts.CaptureStopped with
          | Some size ->
              yield "max_trace_size",
                    sprintf "capture stopped when the raw log reached %s (max_trace_size): the trace ends there, each call then open returns <truncated>, and the program ran on unrecorded" (PolicyValues.sizeText size)
          | None ->
              // After a detach nothing more is written, the exit marker neither: whether the
              // handlers ran is unknown, and the recorder's error says why the trace ends.
              if not facts.CleanExit && not facts.Interrupted && facts.RecorderFailure.IsNone then
                  yield "exit_handlers", "did not run (killed, FailFast or a crash): the trace ends where the program stopped"
          for fault in faults do
              yield "program_fault", "unhandled exception " + fault
          if facts.Truncated then
              yield "raw_log", "ends inside a record: the program stopped while writing it"
          if not facts.Balanced then
              yield "open_calls", "some calls never returned (the program exited or died inside them)"
          for e in Option.toList verdict.Warning @ Option.toList verdict.Error do
              yield "recorder_error", sprintf "%s: %s" e.Code e.Message ]
