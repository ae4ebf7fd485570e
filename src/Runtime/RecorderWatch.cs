using System;
using System.IO;
using System.IO.Pipes;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// Notices that the recorder died. The recorder holds the write end of a pipe whose read end
/// this process inherited, and never writes to it: a read returns only at end of file, once the
/// recorder's end is closed, which the system does when the recorder exits, whatever killed it.
/// Nobody will read the raw log then, so recording stops, the log is removed, and the program
/// runs on unrecorded: an orphan must not fill the disk with a log nobody reads.
/// </summary>
internal static class RecorderWatch
{
    internal static void Start(string? value)
    {
        var parts = (value ?? "").Split(' ', 2);
        if (!int.TryParse(parts[0], out var fd) || fd < 0) return;
        // A descriptor with that number that is not the recorder's pipe (a test host started by a
        // runner that closed it, and then opened something else) is never read.
        if (parts.Length == 2 && new FileInfo($"/proc/self/fd/{fd}").LinkTarget != parts[1]) return;
        AnonymousPipeClientStream pipe;
        try
        {
            pipe = new AnonymousPipeClientStream(PipeDirection.In, fd.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return;
        }
        new Thread(() => Watch(pipe)) { IsBackground = true, Name = "CodeTracer recorder watch" }.Start();
    }

    private static void Watch(Stream pipe)
    {
        var buffer = new byte[1];
        try
        {
            while (pipe.Read(buffer, 0, 1) > 0) { }
        }
        catch (IOException)
        {
            // A broken pipe is the recorder gone too.
        }
        Recorder.Orphaned();
    }
}
