using System.Runtime.InteropServices;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.Launch;

/// <summary>The recorder runtime assembly that is applied to the program as its startup hook, and what it is told.</summary>
internal static partial class RuntimeHook
{
    internal static string Path { get; } = typeof(CodeTracer.Runtime.Probe).Assembly.Location;

    /// <summary>
    /// Prints, once the program has ended, what it wrote to stderr after its stack was nearly
    /// full: the runtime's stack overflow text, folded as unrecorded (Core StackOverflowText).
    /// Returns whether the program died of a stack overflow (the runtime's text says so).
    /// </summary>
    internal static bool PrintOverflowText(string file)
    {
        if (!File.Exists(file)) return false;
        try
        {
            var lines = ListModule.OfSeq(File.ReadLines(file));
            foreach (var line in CodeTracer.Core.Diagnostics.StackOverflowText.fold(lines)) Console.Error.WriteLine(line);
            return CodeTracer.Core.Diagnostics.StackOverflowText.overflowed(lines);
        }
        catch (IOException)
        {
            // Only the program's last words are lost; the trace says how it ended.
            return false;
        }
    }

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
