namespace CodeTracer.Shell.Launch;

/// <summary>A fresh temporary folder that only the current user can open, marked as this recorder's (<see cref="OwnedFolders"/>).</summary>
internal static class PrivateFolder
{
    internal static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        OwnedFolders.Claim(path);
        return path;
    }
}
