using System.Runtime.InteropServices;
using CodeTracer.Core.Diagnostics;

namespace CodeTracer.Shell.Launch;

/// <summary>Passes the recorder's stop signal on to the program, so that it ends as it would have without the recorder.</summary>
internal static partial class Signals
{
    private const int SigInt = 2;
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    internal static void Send(int pid, StopSignal signal)
    {
        if (OperatingSystem.IsWindows()) return; // No such signals there: the grace period ends in a kill.
        Kill(pid, signal.IsInterrupt ? SigInt : SigTerm);
    }
}
