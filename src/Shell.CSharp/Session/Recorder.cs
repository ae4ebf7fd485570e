using System.Diagnostics;
using CodeTracer.Core.Common;
using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Policy;
using CodeTracer.Core.Recording;
using CodeTracer.Core.TraceFilter;
using CodeTracer.Shell.Diagnostics;
using CodeTracer.Shell.Instrumentation;
using CodeTracer.Shell.Launch;
using CodeTracer.Shell.TraceFiles;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using RawLog = CodeTracer.Runtime.RawLog;
using RuntimeVariables = CodeTracer.Runtime.RuntimeVariables;

namespace CodeTracer.Shell.Session;

/// <summary>
/// Records one run of a .NET program into a trace folder: bootstrap, instrument,
/// launch, convert, publish. Each step gathers its inputs and lets the core
/// decide; <see cref="Verdict"/> decides how the run ends.
/// </summary>
public static class Recorder
{
    /// <summary>The recorder's name in trace metadata.</summary>
    public const string Name = "codetracer-dotnet";

    /// <summary>The recorder's version.</summary>
    public static string Version { get; } =
        typeof(Recorder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Records the request's program. A failure before the program runs (bad
    /// target, output folder) throws a <see cref="RecorderException"/>; one after
    /// it ran is in the result's <see cref="RecordResult.Error"/>, with its exit code.
    /// Cancelling <paramref name="stop"/> before the program runs (build, bootstrap, staging,
    /// instrumentation) ends the recording with an <see cref="OperationCanceledException"/>,
    /// nothing left behind. Later it stops the program (passing it the signal
    /// <paramref name="stoppedBy"/> names, SIGINT when null) or cuts the conversion; the result
    /// says so (<see cref="RecordResult.Stopped"/>), and the trace cut short is published, partial,
    /// only with keep_partial_trace (<see cref="Stopping"/>).
    /// </summary>
    public static async Task<RecordResult> RecordAsync(RecordRequest request, Logger log, CancellationToken stop = default, Func<StopSignal>? stoppedBy = null)
    {
        var signal = stoppedBy ?? (() => StopSignal.Interrupt);
        if (ProjectBuilder.IsProject(request.Target))
        {
            var built = ProjectBuilder.Build(request.Target, request.Build, stop);
            log.Write(LogLevel.Info, "bootstrap", "built the project", null, ("program", built));
            request = request with { Target = built };
        }
        else if (!request.Build.Equals(ProjectBuild.defaults))
            throw new RecorderException(Errors.InvalidBuildOptions(Path.GetFullPath(request.Target), "--configuration, --framework and -p apply to a project file, not a built program"));
        var policy = request.Policy;
        if (policy.Disabled.Value)
        {
            var target = TargetInspector.Resolve(request.Target);
            log.Write(LogLevel.Info, "bootstrap", "CODETRACER_DISABLED: running the program unrecorded");
            var plainArgs = UsesVsTest(request, target)
                ? TestRunLauncher.UnrecordedArgs(target, request.ProgramArgs)
                : new[] { target }.Concat(request.ProgramArgs);
            var plain = await ProgramLauncher.RunUnrecordedAsync(target, plainArgs, stop, signal).ConfigureAwait(false);
            return RecordResult.Unrecorded(plain.ExitCode);
        }

        TestHooks.PauseIfAsked("bootstrap", stop);
        var session = Bootstrap.Prepare(request);
        log.TraceId = session.RecordingId;
        OwnedFolders.Sweep(session.OutDir, log);
        var targetFolder = Path.GetDirectoryName(session.Target)!;
        var tests = request.Test ? TestAssembly.Inspect(session.Target) : null;
        var filters = FilterDiscovery.Load(policy, targetFolder, tests is not null && request.FrameworkFilters ? tests.Frameworks : []);
        var instrumentation = new InstrumentationPolicy(filters.Chain, filters.ProjectRoot, Activation(request.Activation));
        stop.ThrowIfCancellationRequested();
        TestHooks.PauseIfAsked("staging", stop);
        var stage = Staging.Copy(targetFolder, stop);
        try
        {
            var appFolder = Path.Combine(stage, "app");
            TestHooks.PauseIfAsked("instrumentation", stop);
            var manifest = Instrument(appFolder, session.Target, policy, instrumentation, log, stop);
            var program = Path.Combine(appFolder, Path.GetFileName(session.Target));
            var runtimeHook = RuntimeBundling.Bundle(appFolder, program);
            var rawLog = Path.Combine(stage, "raw.log");
            var fieldPolicies = Path.Combine(stage, "field-policies.txt");
            File.WriteAllText(fieldPolicies, FieldPolicyModule.encode(ListModule.OfSeq(instrumentation.FieldPolicies)));
            // Held until the program has ended: if this process dies first, the program notices and stops recording.
            using var lifeline = new Lifeline();
            var settings = RuntimeSettings(rawLog, fieldPolicies, policy, request.Activation is not null, targetFolder);
            var overflowText = Path.Combine(stage, "stderr-after-overflow.txt");
            settings[RuntimeVariables.OverflowStderr] = overflowText;
            settings[RuntimeVariables.RecorderPipe] = lifeline.Value;
            var launch = new LaunchRequest(
                program, request.ProgramArgs, session.Workdir, runtimeHook, settings,
                started => OwnedFolders.AddUser(stage, started));
            stop.ThrowIfCancellationRequested(); // the last moment a stop means "do not run it"
            var scratch = TraceFolder.CreateScratch(session.OutDir, session.RecordingId);
            // A stop cuts the conversion: at once when nothing will be published, else once what the
            // stopped program wrote while it ended had its time to be converted.
            using var cutConversion = new CancellationTokenSource();
            using var onStop = stop.Register(() =>
                cutConversion.CancelAfter(Stopping.conversionGraceMs(policy.KeepPartialTrace.Value)));
            try
            {
                // Conversion starts with the program and follows its raw log (the machine's other
                // core does the work); it ends once the program has, with its exit code.
                var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                var reader = new RawLogReader(rawLog, exited.Task);
                var conversion = Task.Factory.StartNew(
                    () => Convert(reader, manifest, exited.Task, scratch, policy, cutConversion.Token),
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                var clock = Stopwatch.StartNew();
                LaunchResult run;
                try
                {
                    run = tests?.Runner.IsVsTest == true
                        ? await TestRunLauncher.RunAsync(launch, stage, stop, signal).ConfigureAwait(false)
                        : await ProgramLauncher.RunAsync(launch, stop, signal).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The launch failure is what the user is told; the conversion only has to end.
                    exited.SetResult(-1);
                    await conversion.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                    throw;
                }
                var recordedIn = clock.Elapsed;
                var overflowed = RuntimeHook.PrintOverflowText(overflowText);
                log.Write(LogLevel.Info, "launch", "the program exited", null, ("exit_code", run.ExitCode.ToString()), ("interrupted", run.Interrupted.ToString()));

                clock.Restart();
                exited.SetResult(run.ExitCode);
                session = session with { RuntimeVersion = TargetInspector.RanOn(rawLog) ?? session.RuntimeVersion };
                var filterSummary = FilterSummaryModule.add(instrumentation.Stats, FilterSummaryModule.ofChain(filters.Chain));
                return await Finish(session, request, manifest, filterSummary, scratch, conversion, reader, run, recordedIn, clock, log, stop, signal, overflowed).ConfigureAwait(false);
            }
            finally
            {
                // A scratch folder still holding an older trace that could not be removed was reported at publish.
                try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        finally
        {
            try { Directory.Delete(stage, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>A `--test` run whose tests `dotnet test` runs (else the test assembly is itself the program).</summary>
    private static bool UsesVsTest(RecordRequest request, string target) =>
        request.Test && TestAssembly.Inspect(target).Runner.IsVsTest;

    /// <summary>Instruments the staged copy; under `disable` an assembly that fails stays as it was.</summary>
    private static Manifest Instrument(string appFolder, string target, Policy policy, InstrumentationPolicy instrumentation, Logger log, CancellationToken stop)
    {
        Manifest manifest;
        using (var progress = Progress.OnStderr("instrumenting assemblies", policy))
        {
            manifest = AssemblyRewriter.InstrumentFolder(appFolder, policy: instrumentation, onFailure: (assembly, e) =>
            {
                var error = Errors.InstrumentationFailed(assembly, e.Message);
                if (policy.OnRecorderError.Value.IsAbort) throw new RecorderException(error);
                log.Error(LogLevel.Warn, "instrument", error);
            }, cancellationToken: stop, onProgress: (done, total) => progress.Report(done, total, "assemblies"));
        }
        if (manifest.Paths.Length == 0) throw new RecorderException(Errors.NoSymbols(target));
        log.Write(LogLevel.Info, "instrument", "instrumented", null, ("methods", manifest.Methods.Length.ToString()), ("sites", manifest.Sites.Length.ToString()));
        return manifest;
    }

    private static async Task<RecordResult> Finish(
        SessionContext session, RecordRequest request, Manifest manifest, FilterSummary filterSummary, string scratch,
        Task<(ConversionSummary, RecorderError?)> conversion, RawLogReader reader, LaunchResult run,
        TimeSpan recordedIn, Stopwatch clock, Logger log, CancellationToken stop, Func<StopSignal> signal, bool overflowed)
    {
        var policy = request.Policy;
        try
        {
            var (summary, conversionError) = await conversion.ConfigureAwait(false);
            var rawBytes = reader.BytesRead;
            // The bench reads these two lines (and "the program exited") for conversion speed and time to a ready trace.
            log.Write(LogLevel.Info, "convert", "converted the raw log", null,
                ("events", summary.Events.ToString()), ("steps", summary.Steps.ToString()), ("raw_log_bytes", rawBytes.ToString()));
            // The runtime calls no handler for a stack overflow: its text, printed above, says it.
            var faults = overflowed ? ListModule.Append(summary.Faults, ListModule.Singleton(StackOverflowText.fault)) : summary.Faults;
            var failure = conversionError ?? (summary.Detached is { } reason ? DiskFull.ofDetachReason(reason)?.Value ?? Errors.RecorderDetached(reason) : null);
            // A stop from here on is too late to cut anything (AfterConversion): the trace is whole.
            var stopped = stop.IsCancellationRequested
                ? FSharpOption<Stop>.Some(new Stop(signal(), Stopping.phaseAfterLaunch(run.Interrupted, summary.Cut)))
                : FSharpOption<Stop>.None;
            var facts = new RunFacts(
                run.ExitCode,
                failure is null ? FSharpOption<RecorderError>.None : FSharpOption<RecorderError>.Some(failure),
                summary.Balanced, summary.Truncated, stopped, summary.CleanExit, Math.Max(0, summary.Calls - 1),
                summary.CaptureStopped ? FSharpOption<long>.Some(policy.MaxTraceSize.Value) : FSharpOption<long>.None);
            var verdict = VerdictModule.decide(policy, facts);
            if (verdict.Warning is { } warning) log.Error(LogLevel.Warn, "record", warning.Value);

            if (verdict.KeepTrace)
            {
                TestHooks.FailIfAsked("finalisation", Errors.FinalisationFailed);
                var notes = VerdictModule.notes(!OperatingSystem.IsWindows(), faults, facts, verdict);
                var counted = FilterSummaryModule.add(FilterStatsModule.ofInnerValues(summary.InnerRedactions, summary.InnerDrops), filterSummary);
                var metadata = Metadata(session, request, manifest, counted, run.ExitCode, summary, verdict, notes);
                TraceFolder.WriteText(Path.Combine(scratch, "trace_paths.json"), Core.Recording.Metadata.pathsToJson(manifest.Paths));
                TraceFolder.WriteText(Path.Combine(scratch, "trace_metadata.json"), Core.Recording.Metadata.toJson(metadata));
                if (TraceFolder.Publish(scratch, session.OutDir) is { } leftover)
                    log.Write(LogLevel.Warn, "record", "the trace is ready, but the older trace it replaced could not be removed", null, ("path", leftover));
                log.Write(LogLevel.Info, "record", "the trace is ready", null, ("trace_dir", session.OutDir));
            }
            return new RecordResult(
                verdict.KeepTrace ? session.OutDir : null, run.ExitCode, Core.Recording.Metadata.outcomeText(verdict.Outcome),
                verdict.ExitCode, verdict.Error?.Value, verdict.Warning?.Value, ListModule.ToArray(faults),
                summary.Events, summary.Steps, summary.Calls, summary.FunctionsCalled, recordedIn, clock.Elapsed, rawBytes)
            { Stopped = stopped?.Value };
        }
        catch (RecorderException e)
        {
            // Finalisation itself failed: there is nothing left to detach from, so
            // under either policy nothing is published and the run fails.
            return RecordResult.Failed(run.ExitCode, e.Error);
        }
        catch (IOException e)
        {
            return RecordResult.Failed(run.ExitCode, Errors.IoOrDiskFull(scratch, e));
        }
        catch (ArgumentOutOfRangeException e) when (Errors.IsDiskFull(e))
        {
            return RecordResult.Failed(run.ExitCode, DiskFull.error(scratch, e.Message));
        }
    }

    /// <summary>
    /// Converts the raw log as the program writes it, until the program has ended; a failure is
    /// returned, with what was converted before it kept valid.
    /// </summary>
    private static (ConversionSummary, RecorderError?) Convert(RawLogReader reader, Manifest manifest, Task<int> exited, string scratch, Policy policy, CancellationToken cut)
    {
        var format = policy.Format.Value;
        var events = Path.Combine(scratch, PolicyValues.traceFileName(format));
        int ExitCode() => exited.Result;
        try
        {
            TestHooks.FailIfAsked("conversion", Errors.TraceIncomplete);
            // The progress line shows only once the program has ended: until then the terminal is the program's.
            Progress? progress = null;
            // The test hook "conversion" converts only once the program has ended and pauses after the
            // first chunk, so a stop lands in the conversion, with something converted.
            var pause = TestHooks.PausesAt("conversion");
            if (pause) exited.Wait(CancellationToken.None);
            var chunks = 0;
            try
            {
                using var sink = TraceEventSinks.Create(format, events);
                return (RawLogConverter.Convert(reader, manifest, ExitCode, sink, cut, (done, total) =>
                {
                    if (pause && ++chunks == 2) TestHooks.PauseIfAsked("conversion", cut);
                    if (exited.IsCompleted) (progress ??= Progress.OnStderr("converting the raw log", policy)).Report(done, total, "MB");
                }), null);
            }
            finally
            {
                progress?.Dispose();
            }
        }
        catch (RecorderException e)
        {
            // Keep a trace that loads: the registrations and `<toplevel>` at least.
            using var sink = TraceEventSinks.Create(format, events);
            return (RawLogConverter.Convert(null, manifest, ExitCode, sink, CancellationToken.None), e.Error);
        }
        catch (Exception e) when (Errors.IsDiskFull(e))
        {
            // The same, in the room the failed file gave back; when even that does not fit, the run fails.
            var error = DiskFull.error(scratch, e.Message);
            try
            {
                using var sink = TraceEventSinks.Create(format, events);
                return (RawLogConverter.Convert(null, manifest, ExitCode, sink, CancellationToken.None), error);
            }
            catch (Exception again) when (Errors.IsDiskFull(again))
            {
                throw new RecorderException(error);
            }
        }
    }

    private static RecordingMetadata Metadata(
        SessionContext session, RecordRequest request, Manifest manifest, FilterSummary filterSummary,
        int exitCode, ConversionSummary summary, Verdict verdict, FSharpList<Tuple<string, string>> notes) =>
        new(
            session.RecordingId,
            session.Target,
            ListModule.OfSeq(request.ProgramArgs),
            session.Workdir,
            Name,
            Version,
            session.RuntimeVersion,
            session.StartedAt.ToUnixTimeMilliseconds() * 1000,
            FSharpOption<int>.Some(exitCode),
            verdict.Outcome,
            ListModule.OfSeq(new[]
            {
                Tuple.Create("methods_instrumented", (long)manifest.Methods.Length),
                Tuple.Create("events", summary.Events),
                Tuple.Create("steps", summary.Steps),
                Tuple.Create("calls", summary.Calls),
                Tuple.Create("functions_called", (long)summary.FunctionsCalled),
                Tuple.Create("raw_anomalies", (long)summary.Anomalies),
            }),
            PolicyResolver.Rows(request.Policy),
            notes,
            FSharpOption<JsonNode>.Some(FilterSummaryModule.toJson(filterSummary)));

    /// <summary>The compiled `--activation` selector, or a usage error saying what is wrong with it.</summary>
    private static Tuple<Selector<ScopeKind>, Matcher>? Activation(string? selector)
    {
        if (selector is null) return null;
        var parsed = FilterApi.ParseActivation(selector);
        if (parsed.IsError) throw new RecorderException(Errors.BadActivation(parsed.ErrorValue));
        return parsed.ResultValue;
    }

    /// <summary>What the runtime inside the program reads at start: where to log, the policy it enforces, the value limits.</summary>
    private static Dictionary<string, string> RuntimeSettings(string rawLog, string fieldPolicies, Policy policy, bool gated, string appFolder)
    {
        var settings = new Dictionary<string, string>
        {
            [RuntimeVariables.AppBase] = RuntimeHook.BaseDirectoryOf(appFolder),
            [RuntimeVariables.RawLog] = rawLog,
            [RuntimeVariables.FieldPolicies] = fieldPolicies,
            [RuntimeVariables.RuntimeVersionFile] = TargetInspector.RanOnFile(rawLog),
            [RuntimeVariables.MaxDepth] = policy.MaxDepth.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [RuntimeVariables.MaxElements] = policy.MaxElements.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [RuntimeVariables.MaxString] = policy.MaxString.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [RuntimeVariables.CaptureIo] = PolicyValues.ioCaptureText(policy.IoCapture.Value),
        };
        if (gated) settings[RuntimeVariables.Activation] = "1";
        if (RawLogBudget.segments(RawLog.HeaderSize, RawLog.SegmentSize, policy.MaxTraceSize.Value) is { } segments)
            settings[RuntimeVariables.RawLogSegments] = segments.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (k, v) in TestHooks.ForRuntime()) settings[k] = v;
        return settings;
    }
}
