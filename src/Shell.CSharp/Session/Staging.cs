using CodeTracer.Shell.Launch;

namespace CodeTracer.Shell.Session;

/// <summary>A private copy of the application folder that instrumentation may rewrite.</summary>
internal static class Staging
{
    internal static string Copy(string appFolder)
    {
        var stage = PrivateFolder.Create("ct-stage-");
        var app = Path.Combine(stage, "app");
        try
        {
            CopyTree(appFolder, app);
        }
        catch (Exception e) when (Errors.IsDiskFull(e))
        {
            Directory.Delete(stage, recursive: true);
            throw new RecorderException(CodeTracer.Core.Diagnostics.DiskFull.error(stage, e.Message));
        }
        return stage;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
