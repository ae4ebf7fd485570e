using System.Security.Cryptography;
using CodeTracer.Core.Recording;
using CodeTracer.Shell.TraceFiles;

namespace CodeTracer.Shell.Session;

/// <summary>Everything known about a recording before the program runs.</summary>
internal sealed record SessionContext(
    string Target,
    string OutDir,
    string RecordingId,
    DateTimeOffset StartedAt,
    string Workdir,
    string RuntimeVersion);

/// <summary>
/// A recording's first step, in three parts each testable alone: the target,
/// the output folder, the metadata that does not depend on the run.
/// </summary>
internal static class Bootstrap
{
    internal static SessionContext Prepare(RecordRequest request)
    {
        var target = TargetInspector.Resolve(request.Target);
        var outDir = OutputLocation.Prepare(request.Policy.OutDir.Value, Recorder.Name,
            [("the working directory", Environment.CurrentDirectory), ("the program being recorded", target)]);
        return Capture(target, outDir, DateTimeOffset.UtcNow, RandomNumberGenerator.GetBytes(10));
    }

    /// <summary>The metadata of a recording from its clock and random bytes (passed in, so tests can fix them).</summary>
    internal static SessionContext Capture(string target, string outDir, DateTimeOffset startedAt, byte[] random) =>
        new(target, outDir, Uuid7.create(startedAt.ToUnixTimeMilliseconds(), random), startedAt,
            Environment.CurrentDirectory, TargetInspector.RuntimeVersion(target));
}
