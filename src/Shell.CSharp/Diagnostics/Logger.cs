using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Policy;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Diagnostics;

/// <summary>
/// JSON-lines log of one recording, to stderr or the policy's log file, at the
/// policy's level. The core shapes each line; this class only stamps and writes it.
/// </summary>
public sealed class Logger
{
    /// <summary>One id per recorder process, in every log line and trailer.</summary>
    public static string RunId { get; } = Guid.CreateVersion7().ToString();

    private readonly LogLevel _threshold;
    private readonly string? _file;
    private readonly object _gate = new();

    /// <summary>The recording this logger speaks of (empty before one has an id).</summary>
    public string TraceId { get; set; } = "";

    /// <summary>A logger writing what the policy asks for, where it asks.</summary>
    public Logger(Policy policy)
    {
        _threshold = policy.LogLevel.Value;
        _file = policy.LogFile.Value is { } f ? Path.GetFullPath(f.Value) : null;
    }

    /// <summary>Writes one record when its level is enabled.</summary>
    public void Write(LogLevel level, string target, string message, string? errorCode = null, params (string Key, string Value)[] fields)
    {
        if (!Reporting.enabled(_threshold, level)) return;
        var record = new LogRecord(
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000,
            level, target, RunId, TraceId, message,
            errorCode is null ? FSharpOption<string>.None : FSharpOption<string>.Some(errorCode),
            ListModule.OfSeq(fields.Select(f => Tuple.Create(f.Key, f.Value))));
        var line = Reporting.logLine(record);
        lock (_gate)
        {
            if (_file is null) Console.Error.WriteLine(line);
            else File.AppendAllText(_file, line + "\n");
        }
    }

    /// <summary>Logs an error value at the given level.</summary>
    public void Error(LogLevel level, string target, RecorderError error) =>
        Write(level, target, error.Message, error.Code, error.Context.Select(c => (c.Item1, c.Item2)).ToArray());
}
