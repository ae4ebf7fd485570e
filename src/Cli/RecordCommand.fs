/// `codetracer record`: parse, call the shell, print what happened.
module CodeTracer.Cli.RecordCommand

open System
open System.Runtime.InteropServices
open Argu
open CodeTracer.Core.Common
open CodeTracer.Core.Diagnostics
open CodeTracer.Core.Policy
open CodeTracer.Core.Recording
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.Diagnostics
open CodeTracer.Shell.Session

/// How a project target is built, from `--configuration`, `--framework` and `-p:Name=Value`;
/// a property that is not Name=Value is the message of a usage error.
let buildOptions (args: ParseResults<RecordArgs>) : Result<ProjectBuild.Options, string> =
    let properties = args.GetResults RecordArgs.Property |> List.map ProjectBuild.parseProperty
    match properties |> List.tryPick (function Error e -> Some e | Ok _ -> None) with
    | Some message -> Error("-p: " + message)
    | None ->
        Ok
            { Configuration = args.TryGetResult Configuration
              Framework = args.TryGetResult Framework
              Properties = properties |> List.choose Result.toOption }

/// Ctrl-C and SIGTERM: the first stops the recording (the work before the program runs,
/// which leaves nothing; the program, which gets the signal too; the conversion), see
/// `Stopping`; a second one ends the recorder at once, as if no handler were there.
/// Returns the stop token, the signal received (once one was) and the registrations.
let private stopOnSignals () =
    let stop = new System.Threading.CancellationTokenSource()
    let received : StopSignal option array = [| None |]
    let gate = obj ()
    let handler (signal: StopSignal) (ctx: PosixSignalContext) =
        let first = lock gate (fun () -> if received.[0].IsNone then received.[0] <- Some signal; true else false)
        if first then
            ctx.Cancel <- true
            stop.Cancel()
    let registrations =
        [ PosixSignalRegistration.Create(PosixSignal.SIGINT, handler Interrupt)
          PosixSignalRegistration.Create(PosixSignal.SIGTERM, handler Terminate) ]
    stop, (fun () -> lock gate (fun () -> received.[0])), registrations

/// Prints a failure: one line for people, and the trailer line with json_errors.
let private report (policy: Policy option) (log: Logger option) (traceId: string) (e: RecorderError) =
    eprintfn "%s" (RecorderError.render e)
    // On stderr the line above says it already; a log file gets the record too.
    if policy |> Option.exists (fun p -> p.LogFile.Value.IsSome) then
        log |> Option.iter (fun l -> l.Error(LogLevel.Error, "record", e))
    if policy |> Option.exists (fun p -> p.JsonErrors.Value) then
        eprintfn "%s" (Reporting.trailer Logger.RunId traceId e)

let run (args: ParseResults<RecordArgs>) (programArgs: string array) : int =
    match args.TryGetResult RecordArgs.Target, PolicyOptions.layer args, buildOptions args with
    | None, _, _ ->
        eprintfn "codetracer: record needs a target (expected app.dll); see codetracer record --help"
        2
    | _, Error message, _
    | _, _, Error message ->
        eprintfn "codetracer: %s" message
        2
    | Some target, Ok cli, Ok build ->
        let policy =
            try Ok(PolicyResolver.Resolve(cli)) with :? RecorderException as e -> Error e.Error
        match policy with
        | Error e ->
            report None None "" e
            RecorderError.exitCode e
        | Ok policy ->
        match (try Ok(Logger(policy)) with :? RecorderException as e -> Error e.Error) with
        | Error e ->
            report (Some policy) None "" e
            RecorderError.exitCode e
        | Ok log ->
            let stop, signalled, registrations = stopOnSignals ()
            let stoppedBy () = signalled () |> Option.defaultValue Interrupt
            try
                try
                    let request =
                        RecordRequest(
                            target,
                            programArgs,
                            policy,
                            Activation = (args.TryGetResult Activation |> Option.toObj),
                            Test = args.Contains RecordArgs.Test,
                            FrameworkFilters = not (args.Contains No_Framework_Filters),
                            Build = build
                        )
                    let result = Recorder.RecordAsync(request, log, stop.Token, Func<StopSignal>(stoppedBy)).GetAwaiter().GetResult()
                    let stopped () =
                        result.Stopped |> Option.iter (fun s -> eprintfn "codetracer: %s" (Stopping.said s (Option.ofObj result.TraceDir)))
                    let crashed () =
                        for fault in result.Faults do
                            eprintfn "codetracer: the program crashed: %s" fault
                    match result.Verdict.Outcome with
                    | Outcome.Unrecorded -> ()
                    | Outcome.Failed ->
                        result.Verdict.Error |> Option.iter (report (Some policy) (Some log) log.TraceId)
                        stopped ()
                        crashed ()
                    | Outcome.Complete | Outcome.Partial | Outcome.Truncated | Outcome.Disabled as outcome ->
                        if result.Stopped.IsSome then stopped ()
                        else eprintfn "codetracer: %s trace in %s: %d calls of %d functions, %d steps, %d events" (Outcome.text outcome) result.TraceDir result.Calls result.Functions result.Steps result.Events
                        crashed ()
                        result.Verdict.Warning |> Option.iter (fun w -> eprintfn "codetracer: warning: %s (%s); the trace is partial" w.Message w.Code)
                        if result.Stopped.IsNone && result.ProgramExitCode <> 0 && not policy.PropagateExitCode.Value then
                            let what = if request.Test then "the test run" else "the program"
                            eprintfn "codetracer: %s exited with %d; pass --propagate-exit-code to return it" what result.ProgramExitCode
                    // A signal that came after the verdict (as the trace was published, or to a program run
                    // unrecorded) still ends the recorder as the signal does.
                    match signalled () with
                    | Some signal -> Stopping.exitCode signal
                    | None -> result.Verdict.ExitCode
                with
                | :? RecorderException as e ->
                    report (Some policy) (Some log) log.TraceId e.Error
                    RecorderError.exitCode e.Error
                | :? OperationCanceledException when (signalled ()).IsSome ->
                    let stopped = { Signal = stoppedBy (); Phase = BeforeRun }
                    eprintfn "codetracer: %s" (Stopping.said stopped None)
                    Stopping.exitCode stopped.Signal
            finally
                registrations |> List.iter (fun r -> r.Dispose())
