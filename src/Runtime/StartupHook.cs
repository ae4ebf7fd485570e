using System;
using CodeTracer.Runtime;

/// <summary>
/// The startup hook the recorder applies through the diagnostics port; it runs
/// before the program's Main.
/// </summary>
internal class StartupHook
{
    public static void Initialize() => Recorder.Start();
}

namespace CodeTracer.Runtime
{
    /// <summary>Starts and stops recording inside the program.</summary>
    internal static class Recorder
    {
        internal const string RawLogVariable = "CODETRACER_RAW_LOG";

        internal static void Start()
        {
            var path = Environment.GetEnvironmentVariable(RawLogVariable);
            // The program's own child processes must neither record into our log
            // nor wait for a diagnostics client that will never come.
            Environment.SetEnvironmentVariable(RawLogVariable, null);
            Environment.SetEnvironmentVariable("DOTNET_DiagnosticPorts", null);
            if (string.IsNullOrEmpty(path)) return;

            Limits.Load();
            RawLog.Open(path);
            if (Environment.GetEnvironmentVariable("CODETRACER_CAPTURE_IO") != "off") ConsoleCapture.Install();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            AppDomain.CurrentDomain.UnhandledException += (_, _) => Stop();
            Probe.On = true;
        }

        private static void Stop()
        {
            Probe.On = false;
            RawLog.Close();
        }
    }
}
