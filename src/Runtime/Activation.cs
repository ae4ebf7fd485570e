using System;
using System.Threading;

namespace CodeTracer.Runtime;

/// <summary>
/// <c>--activation</c>: recording starts at the first entry into a matching
/// method and ends, for good, when that entry returns (nested entries counted).
/// </summary>
internal static class Activation
{
    private const int Waiting = 0, Active = 1, Done = 2;

    /// <summary>Set from <c>CODETRACER_ACTIVATION=1</c>: the probes start off.</summary>
    internal static readonly bool Gated = Environment.GetEnvironmentVariable(RuntimeVariables.Activation) == "1";

    private static int _state;
    private static int _depth;

    internal static void Enter()
    {
        if (Interlocked.CompareExchange(ref _state, Active, Waiting) == Waiting)
        {
            _depth = 1;
            Recorder.Resume();
        }
        else if (Volatile.Read(ref _state) == Active)
        {
            Interlocked.Increment(ref _depth);
        }
    }

    internal static void Exit()
    {
        if (Volatile.Read(ref _state) != Active || Interlocked.Decrement(ref _depth) != 0) return;
        _state = Done;
        Probe.On = false;
    }
}
