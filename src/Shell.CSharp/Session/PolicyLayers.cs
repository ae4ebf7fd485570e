using CodeTracer.Core.Policy;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Session;

/// <summary>
/// Policy layers for C#, built from named arguments: each argument left out (null) leaves
/// the value of the layers below. One parameter per row of <c>PolicySettings.all</c>, named
/// as the row in camelCase (a test checks both ways); each is set through its row's
/// <c>SetIn</c>, so no F# record is built by position here.
/// </summary>
internal static class PolicyLayers
{
    /// <summary>A layer setting the given values and nothing else.</summary>
    internal static PolicyLayer Of(
        OnRecorderError? onRecorderError = null,
        bool? requireTrace = null,
        bool? keepPartialTrace = null,
        LogLevel? logLevel = null,
        string? logFile = null,
        bool? jsonErrors = null,
        IoCapture? ioCapture = null,
        bool? propagateExitCode = null,
        int? maxDepth = null,
        int? maxElements = null,
        int? maxString = null,
        long? maxTraceSize = null,
        string? outDir = null,
        TraceFormat? format = null,
        IEnumerable<string>? traceFilters = null,
        bool? disabled = null)
    {
        var layer = PolicyLayerModule.empty;
        layer = Set(layer, PolicySettings.onRecorderError, onRecorderError);
        layer = Set(layer, PolicySettings.requireTrace, requireTrace);
        layer = Set(layer, PolicySettings.keepPartialTrace, keepPartialTrace);
        layer = Set(layer, PolicySettings.logLevel, logLevel);
        layer = logFile is null ? layer : PolicySettings.logFile.SetIn(layer, FSharpOption<string>.Some(logFile));
        layer = Set(layer, PolicySettings.jsonErrors, jsonErrors);
        layer = Set(layer, PolicySettings.ioCapture, ioCapture);
        layer = Set(layer, PolicySettings.propagateExitCode, propagateExitCode);
        layer = Set(layer, PolicySettings.maxDepth, maxDepth);
        layer = Set(layer, PolicySettings.maxElements, maxElements);
        layer = Set(layer, PolicySettings.maxString, maxString);
        layer = Set(layer, PolicySettings.maxTraceSize, maxTraceSize);
        layer = Set(layer, PolicySettings.outDir, outDir);
        layer = Set(layer, PolicySettings.format, format);
        layer = Set(layer, PolicySettings.traceFilters, traceFilters is null ? null : ListModule.OfSeq(traceFilters));
        layer = Set(layer, PolicySettings.disabled, disabled);
        return layer;
    }

    private static PolicyLayer Set<T>(PolicyLayer layer, Setting<T> setting, T? value) where T : class =>
        value is null ? layer : setting.SetIn(layer, value);

    private static PolicyLayer Set<T>(PolicyLayer layer, Setting<T> setting, T? value) where T : struct =>
        value is { } v ? setting.SetIn(layer, v) : layer;
}
