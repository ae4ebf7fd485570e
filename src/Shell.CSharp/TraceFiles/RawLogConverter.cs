using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.FSharp.Collections;
using CodeTracer.Core.Recording;
using CodeTracer.Core.Trace;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>What converting a raw log produced.</summary>
internal sealed record ConversionSummary(
    long Events, long Steps, long Calls, int FunctionsCalled, bool Balanced, int Anomalies, bool Truncated,
    string? Detached, Microsoft.FSharp.Collections.FSharpList<string> Faults, bool CleanExit, long InnerRedactions, long InnerDrops,
    bool CaptureStopped, bool Cut);

/// <summary>
/// Converts the raw log into the trace's events file, streaming: the core turns records
/// into events, the sink (trace.json or trace.bin) encodes and writes them.
/// </summary>
internal static class RawLogConverter
{
    /// <summary>
    /// Converted chunks waiting to be encoded, at most (bounds memory). Few: their events are
    /// what survives a young collection, and copying survivors is most of the GC's cost.
    /// </summary>
    private const int BatchesAhead = 4;

    /// <summary>
    /// Converts what <paramref name="reader"/> reads (null: no records, only the registrations and
    /// `&lt;toplevel&gt;`) into <paramref name="sink"/>, while the program runs, and finishes it: the
    /// reader ends once the program has, and only then is <paramref name="exitCode"/> asked for.
    /// </summary>
    /// <param name="cut">Stops the conversion between two chunks: what was converted is finished as a trace, its open calls left open.</param>
    /// <param name="onProgress">Called after each chunk with the bytes of the raw log read so far and committed so far.</param>
    internal static ConversionSummary Convert(RawLogReader? reader, Manifest manifest, Func<int> exitCode, ITraceEventSink sink, CancellationToken cut, Action<long, long>? onProgress = null)
    {
        long events = 0, steps = 0, calls = 0;
        var functionsCalled = new HashSet<int>();

        void Emit(List<TraceEvent> batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var e = batch[i];
                sink.Write(e);
                events++;
                if (e.IsStep) steps++;
                else if (e is TraceEvent.Call call)
                {
                    calls++;
                    functionsCalled.Add(call.functionId);
                }
            }
        }

        var (state, header) = ConversionStart.start(manifest).ToValueTuple();
        Emit([.. header]);
        bool truncated = false, captureStopped = false, wasCut = false;
        if (reader is not null)
        {
            // Two stages on two threads: decoding and converting on one, encoding on this one
            // (and compressing on the sink's own); batches keep their order, so the output is
            // the same. Encoded batches go back to the converter to be filled again.
            var batches = new Handoff<List<TraceEvent>>(BatchesAhead);
            var emptied = new ConcurrentQueue<List<TraceEvent>>();
            Exception? failure = null;
            var converter = new Thread(() =>
            {
                try
                {
                    foreach (var (threadId, records) in reader.Chunks())
                    {
                        onProgress?.Invoke(reader.BytesRead, reader.BytesCommitted);
                        if (cut.IsCancellationRequested) { wasCut = true; break; }
                        var batch = emptied.TryDequeue(out var reused) ? reused : [];
                        Conversion.feed(state, threadId, records, batch);
                        if (!batches.Add(batch)) break;
                    }
                }
                catch (Exception e) { failure = e; }
                finally { batches.Close(); }
            }) { IsBackground = true, Name = "raw log conversion" };
            converter.Start();
            try
            {
                while (batches.Take(out var batch))
                {
                    Emit(batch);
                    batch.Clear();
                    emptied.Enqueue(batch);
                }
            }
            finally
            {
                // Also when writing failed: the converter stops at its next batch.
                batches.Close();
                converter.Join();
            }
            if (failure is not null) ExceptionDispatchInfo.Capture(failure).Throw();
            truncated = reader.Truncated;
            captureStopped = reader.CaptureStopped;
        }
        var end = Conversion.finishCapture(captureStopped, state, exitCode());
        Emit([.. end.Events]);
        sink.Finish();
        // A call re-entered after a thread switch is not a call of the program.
        return new ConversionSummary(events, steps, calls - end.Reentries, functionsCalled.Count, end.Balanced, end.Anomalies, truncated,
            end.Detached?.Value, end.Faults, end.CleanExit, end.InnerRedactions, end.InnerDrops, captureStopped, wasCut);
    }
}
