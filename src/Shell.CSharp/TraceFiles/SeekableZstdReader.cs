using CodeTracer.Core.Common;
using ZstdSharp;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>
/// Reads trace.bin's framing: checks the header, reads the seek table, then decompresses
/// the frames one at a time, so memory holds one frame whatever the file's size.
/// </summary>
internal static class SeekableZstdReader
{
    /// <summary>A frame larger than this is refused rather than allocated (the writer's are 2 MiB).</summary>
    private const int MaxFrame = 256 << 20;

    /// <summary>
    /// The decompressed frames of <paramref name="path"/> in order (each buffer is valid
    /// until the next is read). Throws <see cref="TraceUnreadableException"/> located at
    /// <c>trace.bin</c> for a wrong header, seek table or frame.
    /// </summary>
    internal static IEnumerable<ArraySegment<byte>> Frames(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = new byte[SeekableZstdWriter.Header.Length];
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !SeekableZstdWriter.Header.SequenceEqual(header))
            throw Problem($"the header must be C0 DE 72 AC E2 01 00 00, got {Convert.ToHexString(header)}");
        var bodyStart = (long)header.Length;
        var (entries, problem) = SeekTable.Read(file.Length - bodyStart, (offset, buffer) =>
        {
            file.Position = bodyStart + offset;
            file.ReadExactly(buffer);
        });
        if (entries is null) throw Problem(problem!);
        file.Position = bodyStart;
        using var decompressor = new Decompressor();
        var compressed = Array.Empty<byte>();
        var frame = Array.Empty<byte>();
        for (var i = 0; i < entries.Length; i++)
        {
            var (c, d) = (entries[i].Compressed, entries[i].Decompressed);
            if (c > MaxFrame || d > MaxFrame) throw Problem($"frame {i} is larger than {MaxFrame >> 20} MiB");
            if (compressed.Length < c) compressed = new byte[c];
            if (frame.Length < d) frame = new byte[d];
            file.ReadExactly(compressed, 0, (int)c);
            int got;
            try
            {
                got = decompressor.Unwrap(compressed.AsSpan(0, (int)c), frame.AsSpan(0, (int)d));
            }
            catch (ZstdException e)
            {
                throw Problem($"frame {i} does not decompress: {e.Message}");
            }
            if (got != d) throw Problem($"frame {i} holds {got} bytes, the seek table says {d}");
            yield return new ArraySegment<byte>(frame, 0, got);
        }
    }

    private static TraceUnreadableException Problem(string message) =>
        new(TraceProblemModule.create(TraceFolderReader.BinaryFile, message));
}
