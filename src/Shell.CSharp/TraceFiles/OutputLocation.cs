using System.Runtime.InteropServices;
using CodeTracer.Core.Recording;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Every check on the output location, done before the program runs so that a
/// run is never wasted on a trace that cannot be published: what is there may be
/// replaced (<see cref="OutputFolder.decide"/>), the parent is writable, the
/// finished trace can be renamed into place (same file system), an older trace
/// can be removed, and there is room.
/// </summary>
internal static partial class OutputLocation
{
    /// <summary>Below this much free space beside the output folder, a recording is not started.</summary>
    internal const long MinFreeBytes = 16L << 20;

    /// <summary>
    /// The full path of the output folder, once it is known to be safe to fill; else a
    /// <see cref="RecorderException"/>: <c>ERR_TRACE_DIR_CONFLICT</c> (exit 2) for a path
    /// holding anything but an empty folder or a trace of <paramref name="recorderName"/>,
    /// <c>ERR_TRACE_DIR_CREATE_FAILED</c> or <c>ERR_DISK_FULL</c> (exit 1) for the machine.
    /// Nothing is created or removed but the output folder's missing parents.
    /// </summary>
    internal static string Prepare(string outDir, string recorderName, IEnumerable<(string What, string Path)> mustNotHold)
    {
        var full = Resolve(Path.GetFullPath(outDir));
        var parent = Path.GetDirectoryName(full);
        if (parent is null) throw new RecorderException(Errors.TraceDirConflict(full, "the root folder cannot be the output folder"));
        var encloses = mustNotHold.FirstOrDefault(m => Holds(full, Path.GetFullPath(m.Path))).What;
        var verdict = OutputFolder.decide(recorderName, encloses is null ? FSharpOption<string>.None : FSharpOption<string>.Some(encloses), Facts(full));
        if (verdict is OutputFolderVerdict.Refuse refuse) throw new RecorderException(Errors.TraceDirConflict(full, refuse.reason));
        Guard(full, () => Directory.CreateDirectory(parent));
        Guard(full, () => ProbeWritable(parent));
        if (verdict.IsReplaceIt)
        {
            if (IsMountPoint(full))
                throw new RecorderException(Errors.TraceDirConflict(full,
                    "the folder is a mount point, and the trace is built beside it and renamed into place, which cannot cross file systems; give a folder inside it"));
            CheckRemovable(full);
        }
        CheckSpace(full, parent);
        return full;
    }

    /// <summary>A symbolic link to a folder stands for that folder: the trace is built beside its target, on its file system.</summary>
    private static string Resolve(string full)
    {
        if (new FileInfo(full).LinkTarget is null) return full;
        try
        {
            return Directory.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException e)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(full, e.Message)); // a link loop
        }
    }

    private static bool Holds(string folder, string path)
    {
        var comparison = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        var trimmed = Path.TrimEndingDirectorySeparator(folder);
        return string.Equals(Path.TrimEndingDirectorySeparator(path), trimmed, comparison)
            || path.StartsWith(trimmed + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>What is at the path, as the core's decision needs it.</summary>
    private static OutputPathFacts Facts(string full)
    {
        if (!Directory.Exists(full))
            return File.Exists(full) || Path.Exists(full) ? OutputPathFacts.AFile : OutputPathFacts.NothingThere;
        try
        {
            var entries = new DirectoryInfo(full).EnumerateFileSystemInfos()
                .Select(e => new FolderEntry(e.Name, e is FileInfo && e.LinkTarget is null && Session.InputFile.KindOf(e.FullName) == Session.FileKind.Regular))
                .ToList();
            var metadataPath = Path.Combine(full, "trace_metadata.json");
            // A regular metadata file of a few MB at most is read (a FIFO would block): anything else is not ours.
            var metadata = Session.InputFile.KindOf(metadataPath) == Session.FileKind.Regular && new FileInfo(metadataPath).Length < (4 << 20)
                ? FSharpOption<string>.Some(File.ReadAllText(metadataPath))
                : FSharpOption<string>.None;
            return OutputPathFacts.NewAFolder(ListModule.OfSeq(entries), metadata);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirConflict(full, $"the folder exists and cannot be read ({e.Message}), so it is not known to be a trace"));
        }
    }

    /// <summary>Creates and removes a hidden folder in <paramref name="parent"/>: the scratch folder will need the same.</summary>
    private static void ProbeWritable(string parent)
    {
        var probe = Path.Combine(parent, $".codetracer-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(probe);
        Directory.Delete(probe);
    }

    /// <summary>
    /// The older trace is removed after the new one takes its place: its folder must
    /// take new entries and lose old ones, and no file in it may be immutable. A
    /// hard link to each file, made and removed, fails exactly where removing it would.
    /// </summary>
    private static void CheckRemovable(string full)
    {
        try
        {
            ProbeWritable(full);
            if (OperatingSystem.IsWindows()) return;
            foreach (var file in Directory.EnumerateFiles(full))
            {
                var probe = Path.Combine(full, $".codetracer-probe-{Guid.NewGuid():N}");
                if (Link(file, probe) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    throw new UnauthorizedAccessException($"{Path.GetFileName(file)} cannot be removed ({Marshal.GetPInvokeErrorMessage(errno)})");
                }
                File.Delete(probe);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(full, $"the older trace there cannot be replaced: {e.Message}"));
        }
    }

    /// <summary>The path is where a file system is mounted (Linux: /proc/self/mountinfo), so a rename cannot move it.</summary>
    private static bool IsMountPoint(string full)
    {
        const string mountInfo = "/proc/self/mountinfo";
        if (!OperatingSystem.IsLinux() || !File.Exists(mountInfo)) return false;
        var trimmed = Path.TrimEndingDirectorySeparator(full);
        // Field 5 is the mount point, with space, tab, newline and backslash escaped in octal.
        return File.ReadLines(mountInfo)
            .Select(line => line.Split(' '))
            .Where(fields => fields.Length > 4)
            .Any(fields => Unescape(fields[4]) == trimmed);
    }

    private static string Unescape(string field) =>
        field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");

    private static void CheckSpace(string full, string parent)
    {
        long free;
        try
        {
            free = new DriveInfo(parent).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // a file system that does not say: the publish step reports a full disk if it comes to that
        }
        if (free < MinFreeBytes) throw new RecorderException(Errors.TooLittleSpace(full, free));
    }

    private static void Guard(string full, Action act)
    {
        try
        {
            act();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(full, e.Message));
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string newPath);
}
