using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
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
        internal static void Start()
        {
            PreserveBaseDirectory();
            _overflowStderr = Environment.GetEnvironmentVariable(RuntimeVariables.OverflowStderr);
            Environment.SetEnvironmentVariable(RuntimeVariables.OverflowStderr, null);
            var path = Environment.GetEnvironmentVariable(RuntimeVariables.RawLog);
            var lifeline = Environment.GetEnvironmentVariable(RuntimeVariables.RecorderPipe);
            // The program's own child processes must neither record into our log, nor watch our
            // recorder, nor wait for a diagnostics client that will never come.
            Environment.SetEnvironmentVariable(RuntimeVariables.RawLog, null);
            Environment.SetEnvironmentVariable(RuntimeVariables.RecorderPipe, null);
            Environment.SetEnvironmentVariable("DOTNET_DiagnosticPorts", null);
            if (string.IsNullOrEmpty(path)) return;

            SayVersion();
            Limits.Load();
            FieldPolicies.Load();
            RawLog.Open(path);
            if (Environment.GetEnvironmentVariable(RuntimeVariables.CaptureIo) != "off")
            {
                ConsoleCapture.Install();
                InputCapture.Install();
            }
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
            AppDomain.CurrentDomain.UnhandledException += (_, e) => Crash(e.ExceptionObject);
            Throws.Install();
            // A console program dies of SIGTERM/SIGINT without running its exit
            // handlers: stop recording, then let the signal do what it would have done.
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
                Signals.Add(PosixSignalRegistration.Create(signal, _ => Interrupted()));
            Probe.On = !Activation.Gated;
            RecorderWatch.Start(lifeline);
        }

        /// <summary>
        /// The program runs from the recorder's staging copy, but <c>AppContext.BaseDirectory</c> (and
        /// <c>AppDomain.BaseDirectory</c>, the same) must name the user's application folder, as in
        /// an unrecorded run, so that what the program writes next to itself is kept. The runtime
        /// reads that property before its own default, and reads it at each call; assembly loading
        /// does not use it (the host's list of the app's assemblies names the staged files).
        /// </summary>
        private static void PreserveBaseDirectory()
        {
            var appBase = Environment.GetEnvironmentVariable(RuntimeVariables.AppBase);
            Environment.SetEnvironmentVariable(RuntimeVariables.AppBase, null);
            if (!string.IsNullOrEmpty(appBase)) AppContext.SetData("APP_CONTEXT_BASE_DIRECTORY", appBase);
        }

        /// <summary>
        /// Writes the runtime that runs the program (<c>Microsoft.NETCore.App 10.0.12</c>, rolled
        /// forward from its runtimeconfig.json's 10.0.0) where the recorder asked, for the trace's
        /// metadata. Once, at startup; a failure only costs the recorder that detail.
        /// </summary>
        private static void SayVersion()
        {
            var path = Environment.GetEnvironmentVariable(RuntimeVariables.RuntimeVersionFile);
            Environment.SetEnvironmentVariable(RuntimeVariables.RuntimeVersionFile, null);
            if (string.IsNullOrEmpty(path)) return;
            try
            {
                System.IO.File.WriteAllText(path, "Microsoft.NETCore.App " + Environment.Version);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
            }
        }

        /// <summary>Turns the probes on (the activation method was entered), unless the recorder failed.</summary>
        internal static void Resume()
        {
            if (Volatile.Read(ref _failed) == 0) Probe.On = true;
        }

        private static readonly List<PosixSignalRegistration> Signals = new();

        /// <summary>A terminating signal ends the recording (the program may still survive it); what was written is in the log already.</summary>
        private static void Interrupted() => Probe.On = false;

        private static void Stop()
        {
            // The exit marker says the exit handlers ran, recording or not (activation may be over).
            if (Volatile.Read(ref _failed) == 0 && RawLog.IsOpen) ThreadBuffer.Current.Tag(Tags.Exit);
            if (Probe.On) RawLog.AwaitOtherThreads(ThreadBuffer.Current, TimeSpan.FromMilliseconds(200));
            Probe.On = false;
        }

        /// <summary>The program dies of an exception: say which, on the thread that threw it.</summary>
        private static void Crash(object exception)
        {
            if (Probe.On)
            {
                var b = ThreadBuffer.Current;
                b.Tag(Tags.Fault);
                b.FullText(exception is Exception e ? e.GetType().FullName + ": " + e.Message : exception.ToString() ?? "?");
            }
            Stop();
        }

        /// <summary>
        /// A recorder failure: every probe becomes a no-op and the program runs on.
        /// The Detach record tells the shell why; whether that fails the recording
        /// (abort) or leaves a partial trace (disable) is the shell's policy.
        /// </summary>
        private static int _failed;

        /// <summary>
        /// The stack is nearly full (RuntimeHelpers.TryEnsureSufficientExecutionStack): a runaway
        /// recursion may be about to overflow it. If it does, the overflow may strike inside a probe
        /// (the program is debug code: the probes are calls), whose frames on top keep the runtime
        /// from folding the repeated frames: it would print every one of them. So from here on the
        /// program's stderr goes to a file, which the recorder prints once the program has ended, the
        /// recorder's frames dropped and the rest folded as the runtime folds them unrecorded (Core
        /// StackOverflowText). Recording goes on: a thread with a small stack may pass this point and
        /// live; then only its stderr comes late, at its end.
        /// </summary>
        internal static void StackNearlyFull()
        {
            if (Interlocked.Exchange(ref _stderrMoved, 1) == 1) return;
            if (string.IsNullOrEmpty(_overflowStderr) || OperatingSystem.IsWindows()) return;
            try
            {
                using var file = new System.IO.FileStream(_overflowStderr, System.IO.FileMode.Create, System.IO.FileAccess.Write);
                Console.Error.Flush();
                Dup2((int)file.SafeFileHandle.DangerousGetHandle(), 2);
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
            {
                // The output stays as the runtime prints it: long, but nothing is lost.
            }
        }

        private static int _stderrMoved;

        private static string? _overflowStderr;

        [DllImport("libc", EntryPoint = "dup2")]
        private static extern int Dup2(int from, int to);

        /// <summary>The raw log reached max_trace_size: stop for good (activation may not resume); the program runs on.</summary>
        internal static void StopCapture()
        {
            Interlocked.Exchange(ref _failed, 1);
            Probe.On = false;
        }

        /// <summary>The recorder died: stop for good (activation may not resume), and remove the log.</summary>
        internal static void Orphaned()
        {
            Interlocked.Exchange(ref _failed, 1);
            Probe.On = false;
            RawLog.Abandon();
        }

        internal static void Fail(string reason)
        {
            // Once only, and even after the probes stopped: taking a segment at exit can fail too.
            if (Interlocked.Exchange(ref _failed, 1) == 1) return;
            Probe.On = false;
            // In the log's header, not in a segment: the failure may be that no segment could be had.
            RawLog.Detach(Environment.CurrentManagedThreadId, reason);
        }
    }
}
