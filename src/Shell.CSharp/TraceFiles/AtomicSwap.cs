using System.Runtime.InteropServices;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Exchanges two folders in one step on Linux (<c>renameat2</c> with
/// <c>RENAME_EXCHANGE</c>), so a reader of either path never finds it missing.
/// </summary>
internal static partial class AtomicSwap
{
    private const int AtCurrentDirectory = -100;
    private const uint RenameExchange = 2;

    /// <summary>True when the two paths traded places; false where the system cannot do it in one step.</summary>
    internal static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return RenameAt2(AtCurrentDirectory, a, AtCurrentDirectory, b, RenameExchange) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // a C library older than glibc 2.28
        }
    }

    [LibraryImport("libc", EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);
}
