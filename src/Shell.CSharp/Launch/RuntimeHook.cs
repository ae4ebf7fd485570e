using System.Runtime.InteropServices;

namespace CodeTracer.Shell.Launch;

/// <summary>The recorder runtime assembly that is applied to the program as its startup hook, and what it is told.</summary>
internal static partial class RuntimeHook
{
    internal static string Path { get; } = typeof(CodeTracer.Runtime.Probe).Assembly.Location;

    /// <summary>
    /// The user's application folder, which the runtime makes the program's
    /// <c>AppContext.BaseDirectory</c> (it runs from the staging copy); Runtime/StartupHook.cs keeps the same name.
    /// </summary>
    internal const string AppBaseVariable = "CODETRACER_APP_BASE";

    /// <summary>
    /// <c>AppContext.BaseDirectory</c> as the host gives it to a program in <paramref name="folder"/>:
    /// the folder's real path (the host resolves links) with a trailing separator.
    /// </summary>
    internal static string BaseDirectoryOf(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        if (!OperatingSystem.IsWindows() && RealPath(full, IntPtr.Zero) is var resolved && resolved != IntPtr.Zero)
        {
            try { full = Marshal.PtrToStringUTF8(resolved) ?? full; }
            finally { Marshal.FreeHGlobal(resolved); } // realpath's buffer comes from malloc, which FreeHGlobal is on Unix.
        }
        return System.IO.Path.EndsInDirectorySeparator(full) ? full : full + System.IO.Path.DirectorySeparatorChar;
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr RealPath(string path, IntPtr resolved);
}
