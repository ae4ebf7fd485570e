using CodeTracer.Core.Common;
using CodeTracer.Core.Trace;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>The events of a trace.bin or trace.json file, decoded by the core piece by piece as they are read.</summary>
public static class TraceEventReader
{
    /// <summary>Bytes of a trace.json read at a time.</summary>
    private const int JsonPiece = 1 << 20;

    /// <summary>
    /// The events of <paramref name="path"/> (by its name: <c>trace.bin</c> is binary, anything
    /// else JSON), read afresh on each enumeration and streamed: a trace.bin frame by frame,
    /// a trace.json a megabyte at a time, so memory does not grow with the file. Throws
    /// <see cref="TraceUnreadableException"/> at the first problem, <see cref="RecorderException"/>
    /// (<c>ERR_IO</c>) when the file cannot be read.
    /// </summary>
    public static IEnumerable<TraceEvent> Read(string path) =>
        Path.GetFileName(path) == TraceFolderReader.BinaryFile
            ? Guarded(path, () => Decode(SeekableZstdReader.Frames(path), BinaryDecoder()))
            : Guarded(path, () => Decode(Blocks(path), JsonDecoder()));

    /// <summary>Decodes a piece: the events of its complete items and the bytes they took; with <c>final</c>, the rest of the file.</summary>
    private delegate (FSharpList<TraceEvent> Events, int Used) PieceDecoder(byte[] data, int length, bool final);

    private static PieceDecoder BinaryDecoder()
    {
        var next = 0;
        return (data, length, final) =>
        {
            var decoded = Checked(CborDecoder.decodeEvents(next, final, data, 0, length));
            next += decoded.Item1.Length;
            return (decoded.Item1, decoded.Item2);
        };
    }

    private static PieceDecoder JsonDecoder()
    {
        var state = TraceDecoder.jsonStart;
        return (data, length, final) =>
        {
            var (events, used, after) = Checked(TraceDecoder.decodeJsonPiece(state, final, data, 0, length));
            state = after;
            return (events, used);
        };
    }

    private static T Checked<T>(Microsoft.FSharp.Core.FSharpResult<T, TraceProblem> decoded) =>
        decoded.IsError ? throw new TraceUnreadableException(decoded.ErrorValue) : decoded.ResultValue;

    /// <summary>A file's bytes in blocks (each buffer valid until the next is read).</summary>
    private static IEnumerable<ArraySegment<byte>> Blocks(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var block = new byte[JsonPiece];
        int got;
        while ((got = file.Read(block)) > 0) yield return new ArraySegment<byte>(block, 0, got);
    }

    /// <summary>
    /// Decodes the pieces in order; the bytes of an item a piece ends inside are carried
    /// to the front of the next. After the last piece, the carried bytes are decoded as final.
    /// </summary>
    private static IEnumerable<TraceEvent> Decode(IEnumerable<ArraySegment<byte>> pieces, PieceDecoder decode)
    {
        var pending = Array.Empty<byte>();
        var pendingLength = 0;
        foreach (var piece in pieces)
        {
            byte[] data;
            int length;
            if (pendingLength == 0)
            {
                (data, length) = (piece.Array!, piece.Count);
            }
            else
            {
                if (pending.Length < pendingLength + piece.Count) Array.Resize(ref pending, pendingLength + piece.Count);
                piece.AsSpan().CopyTo(pending.AsSpan(pendingLength));
                (data, length) = (pending, pendingLength + piece.Count);
            }
            var (events, used) = decode(data, length, false);
            foreach (var e in events) yield return e;
            var left = length - used;
            if (pending.Length < left) pending = new byte[Math.Max(left, 1 << 16)];
            // Within `pending` the rest moves to the front (span copies allow the overlap).
            data.AsSpan(used, left).CopyTo(pending);
            pendingLength = left;
        }
        foreach (var e in decode(pending, pendingLength, true).Events) yield return e;
    }

    /// <summary>
    /// Each enumeration makes its decoder afresh (they keep the position in the file) and
    /// turns a file that cannot be opened or read into <c>ERR_IO</c>.
    /// </summary>
    private static IEnumerable<TraceEvent> Guarded(string path, Func<IEnumerable<TraceEvent>> events)
    {
        using var e = events().GetEnumerator();
        while (Next(path, e)) yield return e.Current;
    }

    private static bool Next(string path, IEnumerator<TraceEvent> e)
    {
        try
        {
            return e.MoveNext();
        }
        catch (Exception x) when (x is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.Io(path, x.Message));
        }
    }
}
