/// The exit-code and outcome rule, and the shape of log lines and trailers.
module CodeTracer.Core.Tests.DiagnosticsTests

open System.Text.Json
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Diagnostics
open CodeTracer.Core.Policy
open CodeTracer.Core.Recording

let private config = { FsCheckConfig.defaultConfig with maxTest = 500 }

let private policyWith onError keep require propagate =
    let layer =
        { PolicyLayer.empty with
            OnRecorderError = Some onError
            KeepPartialTrace = Some keep
            RequireTrace = Some require
            PropagateExitCode = Some propagate }
    Policy.resolve PolicyLayer.empty layer PolicyLayer.empty

let private failure = RecorderError.create Internal "ERR_RECORDER_DETACHED" "detached"

let tests =
    testList "Diagnostics" [
        testPropertyWithConfig config "a recorder failure under abort fails with exit 1; the trace is kept only with keep_partial_trace"
        <| fun keep require propagate (code: int) balanced ->
            let facts = { ProgramExitCode = code; RecorderFailure = Some failure; Balanced = balanced; Truncated = false; Stopped = None; CleanExit = true; RecordedCalls = 3L; CaptureStopped = None }
            let v = Verdict.decide (policyWith Abort keep require propagate) facts
            v.Outcome = Failed && v.ExitCode = 1 && v.KeepTrace = keep && v.Error = Some failure

        testPropertyWithConfig config "a recorder failure under disable keeps the trace, warns, and exits as the program rule says"
        <| fun keep require propagate (code: int) ->
            let facts = { ProgramExitCode = code; RecorderFailure = Some failure; Balanced = true; Truncated = false; Stopped = None; CleanExit = true; RecordedCalls = 0L; CaptureStopped = None }
            let v = Verdict.decide (policyWith Disable keep require propagate) facts
            v.Outcome = Disabled && v.KeepTrace && v.Error = None && v.Warning = Some failure
            && v.ExitCode = (if propagate then code else 0)

        testPropertyWithConfig config "without a failure: complete only when balanced, flushed at exit and not cut short by a stop"
        <| fun balanced truncated (stopped: Stop option) clean (code: int) propagate keep ->
            let facts = { ProgramExitCode = code; RecorderFailure = None; Balanced = balanced; Truncated = truncated; Stopped = stopped; CleanExit = clean; RecordedCalls = 1L; CaptureStopped = None }
            let v = Verdict.decide (policyWith Abort keep false propagate) facts
            let cutShort = stopped |> Option.exists (fun s -> s.Phase = DuringRun || s.Phase = DuringConversion)
            v.Outcome = (if balanced && clean && not truncated && not cutShort then Complete else Partial)
            && v.KeepTrace = (match stopped with
                              | None | Some { Phase = AfterConversion } -> true
                              | Some { Phase = BeforeRun } -> false
                              | Some _ -> keep)
            && v.ExitCode = (match stopped with
                             | Some { Signal = Interrupt } -> 130
                             | Some { Signal = Terminate } -> 143
                             | None -> if propagate then code else 0)

        testPropertyWithConfig config "a stop of the recorder exits 128 + its signal whatever else happened, and never publishes more than the rest of the rule"
        <| fun (stop: Stop) (failed: bool) onError keep require propagate (code: int) balanced clean ->
            let facts = { ProgramExitCode = code; RecorderFailure = (if failed then Some failure else None); Balanced = balanced; Truncated = false; Stopped = Some stop; CleanExit = clean; RecordedCalls = 1L; CaptureStopped = None }
            let policy = policyWith onError keep require propagate
            let v = Verdict.decide policy facts
            let unstopped = Verdict.decide policy { facts with Stopped = None }
            v.ExitCode = Stopping.exitCode stop.Signal
            && v.Error = unstopped.Error && v.Warning = unstopped.Warning
            && v.KeepTrace = (unstopped.KeepTrace && Stopping.mayKeep keep stop.Phase)
            && (v.Outcome = unstopped.Outcome || (unstopped.Outcome = Complete && v.Outcome = Partial && Stopping.cuts stop.Phase))

        testPropertyWithConfig config "the phase of a stop after launch: the program stopped, else the conversion cut, else too late to cut"
        <| fun programStopped conversionCut ->
            let phase = Stopping.phaseAfterLaunch programStopped conversionCut
            Stopping.cuts phase = (programStopped || conversionCut)
            && (phase = DuringRun) = programStopped
            && phase <> BeforeRun

        testPropertyWithConfig config "the line said for a stop names the signal, and the trace folder exactly when one was published"
        <| fun (stop: Stop) (NonNull dir: NonNull<string>) (published: bool) ->
            let dir = "/traces/" + dir
            let line = Stopping.said stop (if published then Some dir else None)
            line.StartsWith("stopped by " + Stopping.signalName stop.Signal)
            && line.Contains dir = (published && stop.Phase <> BeforeRun)
            && (stop.Phase <> BeforeRun || line.Contains "nothing was recorded")

        test "require_trace fails a recording with no call of the program" {
            let facts = { ProgramExitCode = 0; RecorderFailure = None; Balanced = true; Truncated = false; Stopped = None; CleanExit = true; RecordedCalls = 0L; CaptureStopped = None }
            let v = Verdict.decide (policyWith Abort false true false) facts
            Expect.equal (v.Outcome, v.ExitCode, v.Error |> Option.map (fun e -> e.Code)) (Failed, 1, Some "ERR_TRACE_MISSING") "missing"
            let v2 = Verdict.decide (policyWith Abort false false false) facts
            Expect.equal v2.Outcome Complete "without require_trace an empty recording is fine"
        }

        testPropertyWithConfig config "the notes say exactly what went wrong, and nothing when nothing did"
        <| fun balanced truncated (stopped: Stop option) clean (code: int) signals (faults: NonNull<string> list) ->
            let facts = { ProgramExitCode = code; RecorderFailure = None; Balanced = balanced; Truncated = truncated; Stopped = stopped; CleanExit = clean; RecordedCalls = 1L; CaptureStopped = None }
            let faults = faults |> List.map (fun (NonNull f) -> f)
            let notes = Verdict.notes signals faults facts (Verdict.decide Policy.defaults facts)
            let has key = notes |> List.exists (fun (k, _) -> k = key)
            let phase = stopped |> Option.map (fun s -> s.Phase)
            let cutShort = phase = Some DuringRun || phase = Some DuringConversion
            has "open_calls" = not balanced
            && has "raw_log" = truncated
            && has "exit_handlers" = (not clean && not cutShort)
            && has "termination" = (phase = Some DuringRun || (signals && code > 128))
            && has "conversion" = (phase = Some DuringConversion)
            && (notes |> List.filter (fun (k, _) -> k = "program_fault") |> List.length) = faults.Length
            && not (has "recorder_error")

        testPropertyWithConfig config "capture stopped at max_trace_size: truncated, kept, the program's exit rule, and a note naming the size; a recorder failure still wins"
        <| fun balanced clean (code: int) propagate (PositiveInt size) (failed: bool) ->
            let facts = { ProgramExitCode = code; RecorderFailure = (if failed then Some failure else None); Balanced = balanced; Truncated = false; Stopped = None; CleanExit = clean; RecordedCalls = 1L; CaptureStopped = Some(int64 size) }
            let v = Verdict.decide (policyWith Abort false false propagate) facts
            let notes = Verdict.notes true [] facts v
            if failed then v.Outcome = Failed
            else
                v.Outcome = Truncated && v.KeepTrace && v.Error = None && v.ExitCode = (if propagate then code else 0)
                && (notes |> List.exists (fun (k, text) -> k = "max_trace_size" && text.Contains(PolicyValues.sizeText (int64 size))))
                && not (notes |> List.exists (fun (k, _) -> k = "exit_handlers"))

        test "a recorder failure is a note; a kill shows its signal" {
            let facts = { ProgramExitCode = 137; RecorderFailure = Some failure; Balanced = true; Truncated = false; Stopped = None; CleanExit = false; RecordedCalls = 1L; CaptureStopped = None }
            let notes = Verdict.notes true [] facts (Verdict.decide (policyWith Disable false false false) facts)
            Expect.contains notes ("recorder_error", "ERR_RECORDER_DETACHED: detached") "the tolerated failure"
            Expect.contains notes ("termination", "killed by signal 9") "SIGKILL"
            Expect.isFalse (notes |> List.exists (fun (k, _) -> k = "exit_handlers")) "after a detach, no guess about a crash"
            Expect.isFalse (Verdict.notes false [] facts (Verdict.decide Policy.defaults facts) |> List.exists (fun (k, _) -> k = "termination")) "no signals on Windows"
        }

        testPropertyWithConfig config "an unrecorded run keeps the program's own exit code and writes nothing"
        <| fun (code: int) ->
            Verdict.unrecorded code = { Outcome = Unrecorded; KeepTrace = false; Error = None; Warning = None; ExitCode = code }

        testPropertyWithConfig config "a failure to finish the trace fails the run with the error's exit code and publishes nothing"
        <| fun (kind: ErrorKind) ->
            let e = RecorderError.create kind "ERR_X" "x"
            Verdict.unfinished e = { Outcome = Failed; KeepTrace = false; Error = Some e; Warning = None; ExitCode = RecorderError.exitCode e }

        testPropertyWithConfig config "a full disk's Detach reason gives ERR_DISK_FULL naming the path; other reasons are not a full disk"
        <| fun (NonNull path: NonNull<string>) (NonNull detail: NonNull<string>) (NonNull other: NonNull<string>) ->
            let path = if path = "" then "/x" else path
            match DiskFull.ofDetachReason (DiskFull.detachReason path detail) with
            | Some e ->
                e.Code = "ERR_DISK_FULL" && e.Context = [ "path", path ] && e.Message.StartsWith(path + ": the disk is full")
                && RecorderError.exitCode e = 1
                && (other.StartsWith "ERR_DISK_FULL\t" || DiskFull.ofDetachReason other = None)
            | None -> false

        testPropertyWithConfig config "usage errors exit 2, all others 1" <| fun (kind: ErrorKind) ->
            RecorderError.exitCode (RecorderError.create kind "ERR_X" "x") = (if kind = Usage then 2 else 1)

        testPropertyWithConfig config "the trailer is one JSON line with the spec's fields" <| fun (NonNull message: NonNull<string>) (pairs: (NonNull<string> * NonNull<string>) list) ->
            let e =
                pairs |> List.fold (fun e (NonNull k, NonNull v) -> RecorderError.withContext k v e) (RecorderError.create Target "ERR_NO_SYMBOLS" message)
            let line = Reporting.trailer "run" "trace" e
            let root = JsonDocument.Parse(line).RootElement
            not (line.Contains "\n")
            && root.GetProperty("run_id").GetString() = "run"
            && root.GetProperty("trace_id").GetString() = "trace"
            && root.GetProperty("error_code").GetString() = "ERR_NO_SYMBOLS"
            && root.GetProperty("error_kind").GetString() = "target"
            && root.GetProperty("message").GetString() = JsonText.sanitize message
            && root.GetProperty("context").ValueKind = JsonValueKind.Object

        test "a log line has the spec's fields, error_code and fields only when given" {
            let record =
                { TsMicros = 17L; Level = LogLevel.Warn; Target = "launch"; RunId = "r"; TraceId = "t"; Message = "m"; ErrorCode = None; Fields = [] }
            Expect.equal (Reporting.logLine record) """{"ts_micros":17,"level":"warn","target":"launch","run_id":"r","trace_id":"t","message":"m"}""" "plain"
            let full = { record with ErrorCode = Some "ERR_IO"; Fields = [ "path", "/x" ] }
            Expect.stringContains (Reporting.logLine full) "\"error_code\":\"ERR_IO\",\"fields\":{\"path\":\"/x\"}" "with code and fields"
        }

        test "levels filter from the threshold up" {
            Expect.isTrue (Reporting.enabled LogLevel.Warn LogLevel.Error) "error passes warn"
            Expect.isFalse (Reporting.enabled LogLevel.Warn LogLevel.Info) "info is below warn"
            Expect.isTrue (Reporting.enabled LogLevel.Trace LogLevel.Trace) "trace passes trace"
        }
    ]
