using CodeTracer.Shell.Launch;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// The output folder's life: checked before the recording, filled in a hidden
/// sibling folder, and swapped into place only when every file is complete, so
/// readers see the previous trace or the finished one, never half of one.
/// </summary>
internal static class TraceFolder
{
    /// <summary>Fails early when the output folder cannot be made.</summary>
    internal static string Prepare(string outDir)
    {
        var full = Path.GetFullPath(outDir);
        if (File.Exists(full)) throw new RecorderException(Errors.TraceDirConflict(full));
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(full, e.Message));
        }
        return full;
    }

    /// <summary>A fresh hidden folder beside the output folder, on the same file system.</summary>
    internal static string CreateScratch(string outDir, string recordingId)
    {
        var scratch = Path.Combine(Path.GetDirectoryName(outDir)!, $".{Path.GetFileName(outDir)}.partial-{recordingId}");
        try
        {
            Directory.CreateDirectory(scratch);
            OwnedFolders.Claim(scratch);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.TraceDirCreateFailed(scratch, e.Message));
        }
        return scratch;
    }

    /// <summary>
    /// Moves the finished scratch folder into place. An older trace is swapped out in
    /// one step where the system can (Linux), so the folder is never missing; elsewhere
    /// it is moved aside first, and for that moment the path does not exist.
    /// </summary>
    internal static void Publish(string scratch, string outDir)
    {
        OwnedFolders.Release(scratch);
        if (!Directory.Exists(outDir))
        {
            Directory.Move(scratch, outDir);
            return;
        }
        if (AtomicSwap.TryExchange(scratch, outDir))
        {
            Directory.Delete(scratch, recursive: true); // now the older trace
            return;
        }
        var old = scratch + ".old";
        Directory.Move(outDir, old);
        Directory.Move(scratch, outDir);
        Directory.Delete(old, recursive: true);
    }

    /// <summary>Writes a small text file under a temporary name, then renames it.</summary>
    internal static void WriteText(string path, string text)
    {
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, text, new System.Text.UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }
}
