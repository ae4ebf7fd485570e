using System.Runtime.InteropServices;

namespace CodeTracer.Shell.Launch;

/// <summary>Asks a process to terminate (SIGTERM), so that .NET runs its exit handlers and the runtime flushes.</summary>
internal static partial class Signals
{
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    internal static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows()) return; // No SIGTERM there: the grace period ends in a kill.
        Kill(pid, SigTerm);
    }
}
