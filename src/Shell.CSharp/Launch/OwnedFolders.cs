using System.ComponentModel;
using System.Diagnostics;
using CodeTracer.Core.Policy;
using CodeTracer.Core.Recording;
using CodeTracer.Shell.Diagnostics;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Launch;

/// <summary>
/// The folders this recorder makes outside the trace carry an owner file (Core's Leftovers):
/// the recorder process, and the recorded program once it runs from the staging copy. Each run
/// first removes such folders whose processes are all gone (a recorder killed with -9 leaves
/// its staging copy, full of the program's values, and its scratch folder), and nothing else.
/// </summary>
internal static class OwnedFolders
{
    /// <summary>The recorder's name in owner files.</summary>
    private const string RecorderName = "codetracer-dotnet";

    /// <summary>Prefixes of the folders made in the temporary folder (<see cref="PrivateFolder"/>).</summary>
    internal static readonly string[] TempPrefixes = ["ct-stage-", "ct-port-"];

    private static Leftovers.ProcessStamp Stamp(Process p) => new(p.Id, p.StartTime.ToUniversalTime().Ticks);

    /// <summary>Marks a folder just made as this recorder's.</summary>
    internal static void Claim(string folder)
    {
        using var self = Process.GetCurrentProcess();
        Write(folder, new Leftovers.Owner(RecorderName, [Stamp(self)]));
    }

    /// <summary>The recorded program uses the folder too: it is kept while the program runs, even once the recorder is gone.</summary>
    internal static void AddUser(string folder, Process program)
    {
        var path = Path.Combine(folder, Leftovers.FileName);
        if (Leftovers.parse(File.ReadAllText(path)) is { } owner) Write(folder, Leftovers.withProcess(Stamp(program), owner.Value));
    }

    /// <summary>The folder becomes the trace: it is no longer a leftover.</summary>
    internal static void Release(string folder) => File.Delete(Path.Combine(folder, Leftovers.FileName));

    private static void Write(string folder, Leftovers.Owner owner)
    {
        var path = Path.Combine(folder, Leftovers.FileName);
        File.WriteAllText(path + ".tmp", Leftovers.toText(owner));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Removes the leftovers of dead recorders: in the temporary folder, and scratch folders
    /// beside <paramref name="outDir"/>. Never fails the run: a folder that cannot be read or
    /// removed stays.
    /// </summary>
    internal static void Sweep(string outDir, Logger log)
    {
        var candidates = TempPrefixes.SelectMany(prefix => Folders(Path.GetTempPath(), prefix + "*"))
            .Concat(Folders(Path.GetDirectoryName(outDir)!, ".*.partial-*"));
        var state = FuncConvert.FromFunc<int, Leftovers.ProcessState>(State);
        foreach (var folder in candidates)
        {
            if (!Leftovers.isStale(RecorderName, state, Owner(folder))) continue;
            try
            {
                Directory.Delete(folder, recursive: true);
                log.Write(LogLevel.Info, "bootstrap", "removed a folder left by a recorder that no longer runs", null, ("folder", folder));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                log.Write(LogLevel.Debug, "bootstrap", "could not remove a folder left by a recorder that no longer runs", null, ("folder", folder), ("reason", e.Message));
            }
        }
    }

    private static IEnumerable<string> Folders(string parent, string pattern)
    {
        try
        {
            // Real folders only: a link is never followed into, nor removed.
            return Directory.EnumerateDirectories(parent, pattern)
                .Where(d => !new DirectoryInfo(d).Attributes.HasFlag(FileAttributes.ReparsePoint))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static FSharpOption<Leftovers.Owner> Owner(string folder)
    {
        var path = Path.Combine(folder, Leftovers.FileName);
        try
        {
            var file = new FileInfo(path);
            // An owner file is a few lines; anything else is not ours.
            if (!file.Exists || file.LinkTarget is not null || file.Length > 4096) return FSharpOption<Leftovers.Owner>.None;
            return Leftovers.parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FSharpOption<Leftovers.Owner>.None;
        }
    }

    /// <summary>What has this process id now.</summary>
    private static Leftovers.ProcessState State(int pid)
    {
        if (IsZombie(pid)) return Leftovers.ProcessState.NoProcess;
        try
        {
            using var p = Process.GetProcessById(pid);
            return Leftovers.ProcessState.NewStartedAt(p.StartTime.ToUniversalTime().Ticks);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Leftovers.ProcessState.NoProcess; // no such process, or it ended meanwhile
        }
        catch (Win32Exception)
        {
            return Leftovers.ProcessState.StartUnknown;
        }
    }

    /// <summary>A process that ended and was not reaped yet (Linux): gone, though its id is still taken.</summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[stat.LastIndexOf(')') + 2];
            return state is 'Z' or 'X';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
