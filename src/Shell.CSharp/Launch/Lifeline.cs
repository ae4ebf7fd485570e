using System.IO.Pipes;

namespace CodeTracer.Shell.Launch;

/// <summary>
/// The recorder's end of a pipe the recorded program inherits and watches (Runtime/RecorderWatch.cs):
/// nothing is ever written to it; when the recorder exits, however it dies, the system closes this
/// end, the program reads end of file, stops recording and removes its raw log. Disposed once the
/// program has ended.
/// </summary>
internal sealed class Lifeline : IDisposable
{
    private readonly AnonymousPipeServerStream _pipe = new(PipeDirection.Out, HandleInheritability.Inheritable);

    /// <summary>The read end's descriptor and, on Linux, the pipe it must be (so a reused number is never read).</summary>
    internal string Value
    {
        get
        {
            var fd = _pipe.GetClientHandleAsString();
            if (!OperatingSystem.IsLinux()) return fd;
            var identity = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            return identity is null ? fd : fd + " " + identity;
        }
    }

    public void Dispose() => _pipe.Dispose();
}
