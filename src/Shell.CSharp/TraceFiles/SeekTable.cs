using System.Buffers.Binary;

namespace CodeTracer.Shell.TraceFiles;

/// <summary>One zstd frame of a seekable body: its size on disk and its size decompressed.</summary>
internal readonly record struct SeekEntry(uint Compressed, uint Decompressed);

/// <summary>
/// The seek table of the zstd seekable format (shared/spec/trace-format.md, trace.bin): a
/// skippable frame <c>[0x184D2A5E][8n+9][n × {compressed u32, decompressed u32}][n][descriptor][0x8F92EAB1]</c>,
/// all little-endian, after the last data frame. This recorder writes no per-frame checksums.
/// </summary>
internal static class SeekTable
{
    internal const uint SkippableMagic = 0x184D2A5E;
    internal const uint SeekableMagic = 0x8F92EAB1;

    /// <summary>The footer: entry count, descriptor, magic.</summary>
    internal const int FooterSize = 9;

    /// <summary>The skippable frame's own header: magic and size.</summary>
    internal const int FrameHeaderSize = 8;

    private const byte ChecksumFlag = 0x80;
    private const byte ReservedBits = 0x7C;

    /// <summary>The whole skippable frame for these entries.</summary>
    internal static byte[] Encode(IReadOnlyList<SeekEntry> entries)
    {
        var table = new byte[FrameHeaderSize + 8 * entries.Count + FooterSize];
        var span = table.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, SkippableMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)(8 * entries.Count + FooterSize));
        var at = FrameHeaderSize;
        foreach (var e in entries)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], e.Compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 4)..], e.Decompressed);
            at += 8;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)entries.Count);
        span[at + 4] = 0; // descriptor: no checksums
        BinaryPrimitives.WriteUInt32LittleEndian(span[(at + 5)..], SeekableMagic);
        return table;
    }

    /// <summary>
    /// Reads the table at the end of a seekable body of <paramref name="bodyLength"/> bytes;
    /// <paramref name="readAt"/> fills a buffer from a body offset. The entries, or what is wrong.
    /// </summary>
    internal static (SeekEntry[]? Entries, string? Problem) Read(long bodyLength, Action<long, byte[]> readAt)
    {
        if (bodyLength < FrameHeaderSize + FooterSize) return (null, "no seek table at the end (the file is too short)");
        var footer = new byte[FooterSize];
        readAt(bodyLength - FooterSize, footer);
        if (BinaryPrimitives.ReadUInt32LittleEndian(footer.AsSpan(5)) != SeekableMagic)
            return (null, "no seek table at the end (its magic 0x8F92EAB1 is missing; the file is truncated or not seekable zstd)");
        var descriptor = footer[4];
        if ((descriptor & ReservedBits) != 0) return (null, $"the seek table's descriptor 0x{descriptor:X2} sets reserved bits");
        var count = BinaryPrimitives.ReadUInt32LittleEndian(footer);
        var entrySize = (descriptor & ChecksumFlag) != 0 ? 12 : 8;
        var tableSize = (long)entrySize * count + FooterSize;
        if (tableSize + FrameHeaderSize > bodyLength) return (null, $"the seek table lists {count} frames, more than the file holds");
        var table = new byte[tableSize + FrameHeaderSize];
        readAt(bodyLength - table.Length, table);
        if (BinaryPrimitives.ReadUInt32LittleEndian(table) != SkippableMagic
            || BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(4)) != tableSize)
            return (null, $"the seek table's frame header is not 0x184D2A5E with size {tableSize}");
        var entries = new SeekEntry[count];
        long total = 0;
        for (var i = 0; i < count; i++)
        {
            var at = FrameHeaderSize + i * entrySize;
            entries[i] = new SeekEntry(
                BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(at)),
                BinaryPrimitives.ReadUInt32LittleEndian(table.AsSpan(at + 4)));
            total += entries[i].Compressed;
        }
        if (total + table.Length != bodyLength)
            return (null, $"the seek table's frames take {total} bytes, but {bodyLength - table.Length} precede it");
        return (entries, null);
    }
}
