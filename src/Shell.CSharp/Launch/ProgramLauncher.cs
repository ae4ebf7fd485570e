using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace CodeTracer.Shell.Launch;

/// <summary>What to start and how.</summary>
internal sealed record LaunchRequest(
    string ProgramDll,
    IReadOnlyList<string> Args,
    string WorkingDirectory,
    string RuntimeHookPath,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Starts the staged program suspended on a private diagnostics socket, applies
/// the recorder runtime as a startup hook through it, and resumes the program.
/// Its standard streams are the recorder's own, so stdin, stdout and stderr work
/// as when the program runs directly.
/// </summary>
internal static class ProgramLauncher
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    internal static async Task<int> RunAsync(LaunchRequest request, CancellationToken ct)
    {
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
                await using var connector = await connecting.ConfigureAwait(false);
                await connector.Instance.ApplyStartupHookAsync(request.RuntimeHookPath, ct).ConfigureAwait(false);
                connector.Instance.ResumeRuntime();
            }
            catch (Exception e) when (e is OperationCanceledException or DiagnosticsClientException or IOException)
            {
                TryKill(process);
                throw new RecorderException(Errors.LaunchFailed(request.ProgramDll, e.Message));
            }

            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return process.ExitCode;
        }
        finally
        {
            try { Directory.Delete(portFolder, recursive: true); } catch (IOException) { }
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
