using CodeTracer.Shell.Launch;

namespace CodeTracer.Shell.Session;

/// <summary>A private copy of the application folder that instrumentation may rewrite.</summary>
internal static class Staging
{
    /// <summary>
    /// The staging folder, with the application under <c>app/</c>; or an <c>ERR_IO</c> naming
    /// the file that could not be copied, with nothing left behind (nor when <paramref name="stop"/> ends it).
    /// </summary>
    internal static string Copy(string appFolder, CancellationToken stop = default)
    {
        var stage = PrivateFolder.Create("ct-stage-");
        try
        {
            var from = Path.TrimEndingDirectorySeparator(Path.GetFullPath(appFolder));
            CopyTree(from, from, Path.Combine(stage, "app"), stop);
            return stage;
        }
        catch (Exception e)
        {
            try { Directory.Delete(stage, recursive: true); } catch (IOException) { }
            if (Errors.IsDiskFull(e))
                throw new RecorderException(CodeTracer.Core.Diagnostics.DiskFull.error(stage, e.Message));
            if (e is RefusedInputException refused)
                throw new RecorderException(Errors.Io(refused.Path ?? appFolder,
                    $"{refused.Message}; the application folder is copied to be instrumented and cannot hold one"));
            if (e is IOException or UnauthorizedAccessException)
                throw new RecorderException(Errors.Io(appFolder, $"cannot copy the application folder to be instrumented: {e.Message}"));
            throw;
        }
    }

    /// <summary>
    /// Copies the folder. A file behind a symbolic link is copied (instrumentation rewrites the
    /// copy, never the original); a link to a folder stays a link, never followed, so a link
    /// loop is harmless: to the same place in the copy when it points inside the application
    /// folder, else to where the original points. A dangling link stays as it is.
    /// </summary>
    private static void CopyTree(string root, string from, string to, CancellationToken stop)
    {
        Directory.CreateDirectory(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            stop.ThrowIfCancellationRequested();
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link && (entry is DirectoryInfo || InputFile.KindOf(entry.FullName) == FileKind.Missing))
            {
                var resolved = Path.GetFullPath(link, from);
                var inside = resolved == root || resolved.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
                var linkTo = !Path.IsPathRooted(link) && inside ? link : resolved;
                if (entry is DirectoryInfo) Directory.CreateSymbolicLink(target, linkTo);
                else File.CreateSymbolicLink(target, linkTo);
            }
            else if (entry is DirectoryInfo) CopyTree(root, entry.FullName, target, stop);
            else if (InputFile.KindOf(entry.FullName) == FileKind.Other)
                throw new RefusedInputException("is not a regular file (a FIFO, a device or a socket)", entry.FullName);
            else File.Copy(entry.FullName, target);
        }
    }
}
