using System.Diagnostics;
using CodeTracer.Core.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace CodeTracer.Shell.Launch;

/// <summary>How the program ended: its exit code, and whether the user stopped the recording.</summary>
internal sealed record LaunchResult(int ExitCode, bool Interrupted);

/// <summary>What to start and how.</summary>
internal sealed record LaunchRequest(
    string ProgramDll,
    IReadOnlyList<string> Args,
    string WorkingDirectory,
    string RuntimeHookPath,
    IReadOnlyDictionary<string, string> Environment,
    Action<Process>? Started = null);

/// <summary>
/// Starts the staged program suspended on a private diagnostics socket, applies
/// the recorder runtime as a startup hook through it, and resumes the program.
/// Its standard streams are the recorder's own, so stdin, stdout and stderr work
/// as when the program runs directly.
/// </summary>
internal static class ProgramLauncher
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopped program gets to end on the signal before it is killed (the recorder ends within two seconds).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromMilliseconds(Stopping.programGraceMs);

    /// <summary>
    /// Runs the program under the recorder. Cancelling <paramref name="stop"/> passes the program
    /// the signal the recorder got (<paramref name="signal"/>), waits a little, then kills it.
    /// </summary>
    internal static async Task<LaunchResult> RunAsync(LaunchRequest request, CancellationToken stop, Func<StopSignal> signal)
    {
        var ct = CancellationToken.None;
        var portFolder = PrivateFolder.Create("ct-port-");
        try
        {
            var socket = Path.Combine(portFolder, "port.sock");
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            connectTimeout.CancelAfter(ConnectTimeout);
            var connecting = DiagnosticsClientConnector.FromDiagnosticPort(socket, connectTimeout.Token);

            using var process = Process.Start(StartInfo(request, socket))
                ?? throw new RecorderException(Errors.LaunchFailed(request.ProgramDll, "the process did not start"));
            try
            {
                request.Started?.Invoke(process);
                await using var connector = await connecting.ConfigureAwait(false);
                await connector.Instance.ApplyStartupHookAsync(request.RuntimeHookPath, ct).ConfigureAwait(false);
                connector.Instance.ResumeRuntime();
            }
            catch (Exception e) when (e is OperationCanceledException or DiagnosticsClientException or IOException)
            {
                TryKill(process);
                throw new RecorderException(Errors.LaunchFailed(request.ProgramDll, e.Message));
            }

            return await WaitAsync(process, stop, signal).ConfigureAwait(false);
        }
        finally
        {
            try { Directory.Delete(portFolder, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Runs dotnet with these arguments, unrecorded (CODETRACER_DISABLED); <paramref name="program"/> names it in errors.</summary>
    internal static async Task<LaunchResult> RunUnrecordedAsync(string program, IEnumerable<string> dotnetArgs, CancellationToken stop, Func<StopSignal> signal)
    {
        var info = new ProcessStartInfo(DotnetHost.Path) { UseShellExecute = false };
        foreach (var a in dotnetArgs) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new RecorderException(Errors.LaunchFailed(program, "the process did not start"));
        return await WaitAsync(process, stop, signal).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the process; a stop request passes it the recorder's signal (a Ctrl-C in a terminal
    /// reached it already, with the whole process group; a signal sent to the recorder alone did
    /// not), then kills it, its children too, after a grace period.
    /// </summary>
    internal static async Task<LaunchResult> WaitAsync(Process process, CancellationToken stop, Func<StopSignal> signal)
    {
        try
        {
            await process.WaitForExitAsync(stop).ConfigureAwait(false);
            return new LaunchResult(process.ExitCode, Interrupted: false);
        }
        catch (OperationCanceledException)
        {
            Signals.Send(process.Id, signal());
            using var grace = new CancellationTokenSource(StopGrace);
            try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { TryKill(process); await process.WaitForExitAsync().ConfigureAwait(false); }
            return new LaunchResult(process.ExitCode, Interrupted: true);
        }
    }

    private static ProcessStartInfo StartInfo(LaunchRequest request, string socket)
    {
        var info = new ProcessStartInfo(DotnetHost.Path)
        {
            UseShellExecute = false,
            WorkingDirectory = request.WorkingDirectory,
        };
        info.ArgumentList.Add(request.ProgramDll);
        foreach (var a in request.Args) info.ArgumentList.Add(a);
        foreach (var (k, v) in request.Environment) info.Environment[k] = v;
        // The runtime clears this variable as soon as it starts, so the program's
        // own child processes never wait for a client.
        info.Environment["DOTNET_DiagnosticPorts"] = socket + ",connect,suspend";
        return info;
    }

    private static void TryKill(Process process)
    {
        try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}
