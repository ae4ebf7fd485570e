using System.Diagnostics;
using System.Security.Cryptography;
using CodeTracer.Core.Recording;
using CodeTracer.Shell.Instrumentation;
using CodeTracer.Shell.Launch;
using CodeTracer.Shell.TraceFiles;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Session;

/// <summary>
/// Records one run of a .NET program into a trace folder: bootstrap, instrument,
/// launch, convert, publish. Each step gathers its inputs and lets the core decide.
/// </summary>
public static class Recorder
{
    /// <summary>The recorder's name in trace metadata.</summary>
    public const string Name = "codetracer-dotnet";

    /// <summary>The recorder's version.</summary>
    public static string Version { get; } =
        typeof(Recorder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Records the request's program; a failure throws a <see cref="RecorderException"/> holding the error.</summary>
    public static async Task<RecordResult> RecordAsync(RecordRequest request, CancellationToken ct = default)
    {
        var target = TargetInspector.Resolve(request.Target);
        var policy = request.Policy;
        var outDir = TraceFolder.Prepare(policy.OutDir.Value);
        var startedAt = DateTimeOffset.UtcNow;
        var recordingId = Uuid7.create(startedAt.ToUnixTimeMilliseconds(), RandomNumberGenerator.GetBytes(10));

        var stage = Staging.Copy(Path.GetDirectoryName(target)!);
        try
        {
            var appFolder = Path.Combine(stage, "app");
            var manifest = AssemblyRewriter.InstrumentFolder(appFolder);
            if (manifest.Paths.Length == 0) throw new RecorderException(Errors.NoSymbols(target));

            var rawLog = Path.Combine(stage, "raw.log");
            var launch = new LaunchRequest(
                Path.Combine(appFolder, Path.GetFileName(target)),
                request.ProgramArgs,
                Environment.CurrentDirectory,
                RuntimeHook.Path,
                RuntimeSettings(rawLog, policy));
            var clock = Stopwatch.StartNew();
            var exitCode = await ProgramLauncher.RunAsync(launch, ct).ConfigureAwait(false);
            var recordedIn = clock.Elapsed;

            clock.Restart();
            var scratch = TraceFolder.CreateScratch(outDir, recordingId);
            var summary = TraceJsonWriter.Write(rawLog, manifest, exitCode, Path.Combine(scratch, "trace.json"));
            var outcome = summary.Balanced && !summary.Truncated ? Outcome.Complete : Outcome.Partial;
            var metadata = new RecordingMetadata(
                recordingId,
                target,
                ListModule.OfSeq(request.ProgramArgs),
                Environment.CurrentDirectory,
                Name,
                Version,
                TargetInspector.RuntimeVersion(target),
                startedAt.ToUnixTimeMilliseconds() * 1000,
                FSharpOption<int>.Some(exitCode),
                outcome,
                ListModule.OfSeq(new[]
                {
                    Tuple.Create("methods_instrumented", (long)manifest.Methods.Length),
                    Tuple.Create("events", summary.Events),
                    Tuple.Create("steps", summary.Steps),
                    Tuple.Create("calls", summary.Calls),
                    Tuple.Create("functions_called", (long)summary.FunctionsCalled),
                    Tuple.Create("raw_anomalies", (long)summary.Anomalies),
                }),
                PolicyResolver.Rows(policy));
            TraceFolder.WriteText(Path.Combine(scratch, "trace_paths.json"), Metadata.pathsToJson(manifest.Paths));
            TraceFolder.WriteText(Path.Combine(scratch, "trace_metadata.json"), Metadata.toJson(metadata));
            TraceFolder.Publish(scratch, outDir);
            var rawBytes = new FileInfo(rawLog).Exists ? new FileInfo(rawLog).Length : 0;
            return new RecordResult(outDir, exitCode, Metadata.outcomeText(outcome), summary.Events, summary.Steps,
                summary.Calls, summary.FunctionsCalled, recordedIn, clock.Elapsed, rawBytes);
        }
        finally
        {
            try { Directory.Delete(stage, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>What the runtime inside the program reads at start: where to log, and the value limits.</summary>
    private static Dictionary<string, string> RuntimeSettings(string rawLog, Core.Policy.Policy policy) => new()
    {
        ["CODETRACER_RAW_LOG"] = rawLog,
        ["CODETRACER_MAX_DEPTH"] = policy.MaxDepth.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CODETRACER_MAX_ELEMENTS"] = policy.MaxElements.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CODETRACER_MAX_STRING"] = policy.MaxString.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CODETRACER_CAPTURE_IO"] = Core.Policy.PolicyValues.ioCaptureText(policy.IoCapture.Value),
    };
}
