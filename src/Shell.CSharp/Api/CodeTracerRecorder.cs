using CodeTracer.Core.Common;
using CodeTracer.Core.Policy;
using CodeTracer.Core.Recording;
using CodeTracer.Core.Trace;
using CodeTracer.Shell.Diagnostics;
using CodeTracer.Shell.Session;
using CodeTracer.Shell.TraceFiles;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using CoreSummary = CodeTracer.Core.Trace.TraceSummary;

namespace CodeTracer.Shell;

/// <summary>A failure reading a trace folder, with the recorder's error code.</summary>
public sealed class CodeTracerException : Exception
{
    internal CodeTracerException(string code, string message, int exitCode) : base(message)
    {
        Code = code;
        ExitCode = exitCode;
    }

    /// <summary>The error code, e.g. <c>ERR_TRACE_MISSING</c>.</summary>
    public string Code { get; }

    /// <summary>What <c>codetracer</c> would exit with: 1 for a failure, 2 for a usage error.</summary>
    public int ExitCode { get; }
}

/// <summary>
/// The C# entry point of the shell package: record a .NET program into a trace
/// folder and read a trace folder back. Nothing here needs FSharp.Core types.
/// </summary>
/// <example>
/// <code>
/// var outcome = await CodeTracerRecorder.RecordAsync("bin/Debug/net10.0/App.dll",
///     new RecordingOptions { OutDir = "trace-out", MaxDepth = 3 });
/// if (outcome.Succeeded)
///     Console.WriteLine(CodeTracerRecorder.ReadTrace(outcome.TraceDir!).CallsOf("App.Program.Run"));
/// </code>
/// </example>
public static class CodeTracerRecorder
{
    /// <summary>
    /// Records one run of <paramref name="target"/> (an app.dll, or a .csproj/.fsproj that is
    /// built first, in Debug unless <see cref="RecordingOptions.Configuration"/> says otherwise).
    /// The program inherits this process's console. Every recorder
    /// failure, before or after the program ran (a missing target, a bad filter, a build
    /// failure, a failed conversion), comes back as an outcome with an
    /// <see cref="RecordingOutcome.ErrorCode"/> instead of an exception.
    /// Cancelling <paramref name="cancellationToken"/> stops the program (as SIGINT would) or cuts the
    /// conversion, with <see cref="RecordingOutcome.ExitCode"/> 130; the trace recorded so far is
    /// kept, partial, only with <see cref="RecordingOptions.KeepPartialTrace"/>.
    /// </summary>
    /// <param name="target">The program: an app.dll, or a .csproj/.fsproj.</param>
    /// <param name="options">How to record; null records with the environment's and the default settings.</param>
    /// <param name="cancellationToken">Stops the program or the conversion; the trace so far is kept as partial only with KeepPartialTrace.</param>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is null.</exception>
    public static async Task<RecordingOutcome> RecordAsync(string target, RecordingOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        options ??= new RecordingOptions();
        if (BadLimit(options) is { } bad)
            return new RecordingOutcome(Outcome.Failed) { ExitCode = 2, ErrorCode = "ERR_INVALID_POLICY_VALUE", ErrorMessage = bad };
        try
        {
            var policy = PolicyResolver.Resolve(PolicyLayerModule.empty, Layer(options));
            var log = new Logger(policy);
            var request = new RecordRequest(Path.GetFullPath(target), options.ProgramArgs.ToArray(), policy) 
            {
                Activation = options.Activation,
                Test = options.Test,
                FrameworkFilters = options.FrameworkFilters,
                Build = BuildOptions(target, options),
            };
            var result = await Recorder.RecordAsync(request, log, cancellationToken).ConfigureAwait(false);
            return new RecordingOutcome(result.Verdict.Outcome)
            {
                TraceDir = result.TraceDir,
                ProgramExitCode = result.ProgramExitCode,
                ExitCode = result.Verdict.ExitCode,
                ErrorCode = result.Verdict.Error?.Value.Code,
                ErrorMessage = result.Verdict.Error?.Value.Message,
                WarningCode = result.Verdict.Warning?.Value.Code,
                Faults = result.Faults.ToArray(),
                Events = result.Events,
                Steps = result.Steps,
                Calls = result.Calls,
                Functions = result.Functions,
            };
        }
        catch (RecorderException e)
        {
            return new RecordingOutcome(Outcome.Failed)
            {
                ExitCode = RecorderErrorModule.exitCode(e.Error),
                ErrorCode = e.Error.Code,
                ErrorMessage = e.Error.Message,
            };
        }
    }

    /// <summary>How a project target is built; a property name MSBuild would refuse is a usage error.</summary>
    private static ProjectBuild.Options BuildOptions(string target, RecordingOptions options)
    {
        var properties = new List<Tuple<string, string>>();
        foreach (var (name, value) in options.Properties)
        {
            var parsed = ProjectBuild.parseProperty(name + "=" + value);
            if (parsed.IsError || parsed.ResultValue.Item1 != name)
                throw new RecorderException(Errors.InvalidBuildOptions(Path.GetFullPath(target), parsed.IsError ? parsed.ErrorValue : $"'{name}' is not an MSBuild property name"));
            properties.Add(parsed.ResultValue);
        }
        return new ProjectBuild.Options(
            options.Configuration is null ? FSharpOption<string>.None : FSharpOption<string>.Some(options.Configuration),
            options.Framework is null ? FSharpOption<string>.None : FSharpOption<string>.Some(options.Framework),
            ListModule.OfSeq(properties));
    }

    /// <summary>
    /// Reads a trace folder with the decoder and summary of <c>codetracer print</c>: the
    /// counts and the functions by calls.
    /// </summary>
    /// <param name="traceDir">A trace folder holding trace.bin or trace.json, trace_paths.json and trace_metadata.json.</param>
    /// <exception cref="CodeTracerException">
    /// <c>ERR_TRACE_MISSING</c> when the folder or one of its files is missing,
    /// <c>ERR_IO</c> when a file cannot be read, <c>ERR_TRACE_INVALID</c> when
    /// the events cannot be decoded.
    /// </exception>
    public static TraceSummary ReadTrace(string traceDir)
    {
        ArgumentNullException.ThrowIfNull(traceDir);
        TraceFolderFiles files;
        TraceCounts counts;
        FSharpList<Tuple<string, int>> byCalls;
        try
        {
            files = TraceFolderReader.Read(traceDir);
            // Two passes over the file, each streaming: memory stays one frame, not the whole trace.
            counts = CoreSummary.counts(files.Events);
            byCalls = CoreSummary.callsPerFunction(files.Events);
        }
        catch (RecorderException e)
        {
            throw new CodeTracerException(e.Error.Code, e.Error.Message, RecorderErrorModule.exitCode(e.Error));
        }
        catch (TraceUnreadableException e)
        {
            throw new CodeTracerException("ERR_TRACE_INVALID", $"{Path.GetFullPath(traceDir)}: {e.Message}", 1);
        }
        var metadata = SideFiles.decodeMetadata(files.MetadataJson);
        var fields = metadata.IsOk ? metadata.ResultValue : null;
        return new TraceSummary
        {
            TraceDir = files.Folder,
            Outcome = fields?.Outcome is { } word && OutcomeModule.tryParse(word.Value) is { } outcome ? RecordingOutcome.KindOf(outcome.Value) : null,
            ExitCode = fields?.ExitCode is { } code ? code.Value : null,
            Events = counts.Events,
            Steps = counts.Steps,
            Calls = counts.Calls,
            Returns = counts.Returns,
            Functions = counts.Functions,
            OpenCalls = counts.OpenCalls,
            FunctionsByCalls = byCalls.Select(f => new FunctionCalls(f.Item1, f.Item2)).ToArray(),
        };
    }

    /// <summary>The message of a negative value limit, or null.</summary>
    private static string? BadLimit(RecordingOptions o) =>
        o.MaxDepth < 0 ? $"MaxDepth {o.MaxDepth}: expected a whole number >= 0"
        : o.MaxElements < 0 ? $"MaxElements {o.MaxElements}: expected a whole number >= 0"
        : o.MaxString < 0 ? $"MaxString {o.MaxString}: expected a whole number >= 0"
        : o.MaxTraceSize < 0 ? $"MaxTraceSize {o.MaxTraceSize}: expected a size in bytes >= 0"
        : null;

    /// <summary>The options as the API layer of the policy (it wins over the environment).</summary>
    internal static PolicyLayer Layer(RecordingOptions o) =>
        PolicyLayers.Of(
            onRecorderError: o.OnRecorderError switch
            {
                RecorderErrorMode.Abort => OnRecorderError.Abort,
                RecorderErrorMode.Disable => OnRecorderError.Disable,
                _ => null,
            },
            requireTrace: o.RequireTrace,
            keepPartialTrace: o.KeepPartialTrace,
            logLevel: o.LogLevel switch
            {
                RecorderLogLevel.Trace => LogLevel.Trace,
                RecorderLogLevel.Debug => LogLevel.Debug,
                RecorderLogLevel.Info => LogLevel.Info,
                RecorderLogLevel.Warn => LogLevel.Warn,
                RecorderLogLevel.Error => LogLevel.Error,
                _ => null,
            },
            logFile: o.LogFile,
            ioCapture: o.IoCapture switch
            {
                IoCaptureMode.Off => IoCapture.Off,
                IoCaptureMode.Console => IoCapture.Console,
                _ => null,
            },
            propagateExitCode: o.PropagateExitCode,
            maxDepth: o.MaxDepth,
            maxElements: o.MaxElements,
            maxString: o.MaxString,
            maxTraceSize: o.MaxTraceSize,
            outDir: o.OutDir,
            format: o.Format switch
            {
                TraceFileFormat.Binary => TraceFormat.Binary,
                TraceFileFormat.Json => TraceFormat.Json,
                _ => null,
            },
            traceFilters: o.TraceFilters?.Select(Path.GetFullPath));
}
