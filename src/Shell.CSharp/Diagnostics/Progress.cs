using System.Diagnostics;
using CodeTracer.Core.Policy;

namespace CodeTracer.Shell.Diagnostics;

/// <summary>
/// A one-line progress indicator on stderr for long work (instrumenting many assemblies,
/// converting a large raw log), rewritten in place with <c>\r</c> and erased when done.
/// It shows only on a terminal, never when stderr is redirected, and only once the work
/// has taken a while (<see cref="ShouldShow"/> decides).
/// </summary>
internal sealed class Progress : IDisposable
{
    /// <summary>Work shorter than this never shows a progress line.</summary>
    internal static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);

    /// <summary>The line is redrawn at most this often.</summary>
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly string _what;
    private readonly bool _isTerminal;
    private readonly LogLevel _logLevel;
    private readonly TextWriter _output;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan? _lastDrawn;
    private int _width;

    /// <summary>A progress line for <paramref name="what"/>, written to <paramref name="output"/> when <see cref="ShouldShow"/> says so.</summary>
    internal Progress(string what, bool isTerminal, LogLevel logLevel, TextWriter output)
    {
        _what = what;
        _isTerminal = isTerminal;
        _logLevel = logLevel;
        _output = output;
    }

    /// <summary>
    /// A progress line on stderr for a recording under <paramref name="policy"/>. Log lines
    /// going to a file do not share stderr with it, so then only the terminal test counts.
    /// </summary>
    internal static Progress OnStderr(string what, Policy policy) =>
        new(what, !Console.IsErrorRedirected, policy.LogFile.Value is null ? policy.LogLevel.Value : LogLevel.Error, Console.Error);

    /// <summary>
    /// Whether to show a progress line: only when stderr is a terminal, the log on stderr is
    /// quiet (warn or error: info and below would interleave their lines with it), and the work
    /// has already taken <see cref="Delay"/> (quick work never flickers a line).
    /// </summary>
    internal static bool ShouldShow(bool isTerminal, LogLevel logLevel, TimeSpan elapsed) =>
        isTerminal && (logLevel.IsWarn || logLevel.IsError) && elapsed >= Delay;

    /// <summary>The text of the line: <c>codetracer: converting the raw log 40% (12.0 of 30.0 MB)</c>.</summary>
    internal static string Line(string what, long done, long total, string unit)
    {
        var percent = total > 0 ? Math.Clamp(done * 100 / total, 0, 100) : 0;
        return unit == "MB"
            ? FormattableString.Invariant($"codetracer: {what} {percent}% ({done / 1e6:0.0} of {total / 1e6:0.0} MB)")
            : FormattableString.Invariant($"codetracer: {what} {percent}% ({done} of {total} {unit})");
    }

    /// <summary>Reports how far the work is; redraws the line when it shows and the last draw is old enough.</summary>
    internal void Report(long done, long total, string unit)
    {
        // Off a terminal nothing shows: skip reading the clock (this runs per raw-log chunk).
        if (!_isTerminal) return;
        var elapsed = _clock.Elapsed;
        if (!ShouldShow(_isTerminal, _logLevel, elapsed) || elapsed - _lastDrawn < Interval) return;
        _lastDrawn = elapsed;
        var line = Line(_what, done, total, unit);
        // Pad over a longer previous line.
        _output.Write("\r" + line.PadRight(_width));
        _output.Flush();
        _width = Math.Max(_width, line.Length);
    }

    /// <summary>Erases the line, if one was drawn, so the next output starts on a clean line.</summary>
    public void Dispose()
    {
        if (_width == 0) return;
        _output.Write("\r" + new string(' ', _width) + "\r");
        _output.Flush();
        _width = 0;
    }
}
