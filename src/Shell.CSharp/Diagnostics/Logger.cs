using CodeTracer.Core.Common;
using CodeTracer.Core.Diagnostics;
using CodeTracer.Core.Policy;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Diagnostics;

/// <summary>
/// JSON-lines log of one recording, to stderr or the policy's log file, at the
/// policy's level. The core shapes each line; this class only stamps and writes it.
/// </summary>
internal sealed class Logger
{
    /// <summary>One id per recorder process, in every log line and trailer.</summary>
    public static string RunId { get; } = Guid.CreateVersion7().ToString();

    private readonly LogLevel _threshold;
    private readonly string? _file;
    private readonly object _gate = new();
    private bool _fileFailed;

    /// <summary>The recording this logger speaks of (empty before one has an id).</summary>
    public string TraceId { get; set; } = "";

    /// <summary>
    /// A logger writing what the policy asks for, where it asks. A log file that cannot be
    /// written is an <c>ERR_IO</c> now, before anything runs, rather than at the first line logged.
    /// </summary>
    /// <exception cref="RecorderException">The log file cannot be opened for writing.</exception>
    public Logger(Policy policy)
    {
        _threshold = policy.LogLevel.Value;
        _file = policy.LogFile.Value is { } f ? Path.GetFullPath(f.Value) : null;
        if (_file is null) return;
        try
        {
            using var probe = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.Io(_file, $"cannot write the log file ({Source(policy)}): {e.Message}"));
        }
    }

    private static string Source(Policy policy) =>
        policy.LogFile.Source.IsEnv ? PolicySettings.logFile.Variable : "--" + PolicySettings.logFile.Flag.Value;

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
            if (_file is null || _fileFailed) Console.Error.WriteLine(line);
            else
            {
                try
                {
                    File.AppendAllText(_file, line + "\n");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The file was writable at start: say once that the log moves to stderr.
                    _fileFailed = true;
                    Console.Error.WriteLine($"codetracer: {_file}: the log file cannot be written any more ({e.Message}); logging to stderr");
                    Console.Error.WriteLine(line);
                }
            }
        }
    }

    /// <summary>Logs an error value at the given level.</summary>
    public void Error(LogLevel level, string target, RecorderError error) =>
        Write(level, target, error.Message, error.Code, error.Context.Select(c => (c.Item1, c.Item2)).ToArray());
}
