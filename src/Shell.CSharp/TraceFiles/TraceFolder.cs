using CodeTracer.Shell.Launch;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// The output folder's life: checked before the recording, filled in a hidden
/// sibling folder, and swapped into place only when every file is complete, so
/// readers see the previous trace or the finished one, never half of one.
/// </summary>
internal static class TraceFolder
{
    /// <summary>Owner only: a trace holds the program's values, as the staging folder did.</summary>
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A fresh hidden folder beside the output folder, on the same file system, that only the user can open.</summary>
    internal static string CreateScratch(string outDir, string recordingId)
    {
        var scratch = Path.Combine(Path.GetDirectoryName(outDir)!, $".{Path.GetFileName(outDir)}.partial-{recordingId}");
        try
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(scratch);
            else Directory.CreateDirectory(scratch, PrivateFolder);
            OwnedFolders.Claim(scratch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(scratch, e.Message));
        }
        return scratch;
    }

    /// <summary>
    /// Moves the finished scratch folder into place, its files private (0600) like the
    /// folder (0700). An older trace is swapped out in one step where the system can
    /// (Linux), so the folder is never missing; elsewhere it is moved aside first, and
    /// for that moment the path does not exist. Returns the older trace's folder when it
    /// could not be removed (checked before the run, so only if it changed since), else null:
    /// the new trace is in place either way.
    /// </summary>
    internal static string? Publish(string scratch, string outDir)
    {
        OwnedFolders.Release(scratch);
        if (!OperatingSystem.IsWindows())
            foreach (var file in Directory.EnumerateFiles(scratch)) File.SetUnixFileMode(file, PrivateFile);
        if (!Directory.Exists(outDir))
        {
            Directory.Move(scratch, outDir);
            return null;
        }
        var old = scratch + ".old";
        if (AtomicSwap.TryExchange(scratch, outDir)) old = scratch; // now the older trace
        else
        {
            Directory.Move(outDir, old);
            Directory.Move(scratch, outDir);
        }
        try
        {
            Directory.Delete(old, recursive: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return old;
        }
    }

    /// <summary>Writes a small text file under a temporary name, then renames it.</summary>
    internal static void WriteText(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text, new System.Text.UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }
}
