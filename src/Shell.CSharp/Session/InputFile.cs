using System.Runtime.InteropServices;
using System.Text;

namespace CodeTracer.Shell.Session;

/// <summary>A file the recorder will not read; the message is a predicate of the path ("is a folder, not a file").</summary>
internal sealed class RefusedInputException(string why, string? path = null) : IOException(why)
{
    /// <summary>The file refused, when it is not the one the caller asked for (one inside a folder).</summary>
    public string? Path { get; } = path;
}

/// <summary>What a path names, found without opening it (opening a FIFO blocks until a writer comes).</summary>
internal enum FileKind { Missing, Regular, Directory, Other }

/// <summary>
/// Reads the files a user gives the recorder (filters, the target) so that no
/// input can hang it or exhaust its memory: only regular files are opened, text
/// is read up to a cap and must be UTF-8 without NUL bytes. Every refusal is a
/// <see cref="RefusedInputException"/> whose message is the sentence to show after the path.
/// </summary>
internal static unsafe partial class InputFile
{
    private const int ModeTypeMask = 0xF000, ModeDirectory = 0x4000, ModeRegular = 0x8000;

    /// <summary>The kind of file at the path, symbolic links followed (a dangling link or a link loop is Missing).</summary>
    internal static FileKind KindOf(string path)
    {
        if (Directory.Exists(path)) return FileKind.Directory;
        if (!File.Exists(path)) return FileKind.Missing;
        // The runtime's own stat (System.Native, shipped with every .NET): its FileStatus
        // starts with int32 flags and int32 mode, the mode's type bits being POSIX's.
        var status = stackalloc byte[512];
        try
        {
            if (Stat(path, status) != 0) return FileKind.Missing;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return FileKind.Regular; // no way to tell without opening it (Windows)
        }
        return (((int*)status)[1] & ModeTypeMask) switch
        {
            ModeRegular => FileKind.Regular,
            ModeDirectory => FileKind.Directory,
            _ => FileKind.Other,
        };
    }

    /// <summary>Fails with a sentence unless the path is a regular file.</summary>
    internal static void RequireRegular(string path)
    {
        switch (KindOf(path))
        {
            case FileKind.Missing: throw new FileNotFoundException("no such file", path);
            case FileKind.Directory: throw new RefusedInputException("is a folder, not a file");
            case FileKind.Other: throw new RefusedInputException("is not a regular file (a FIFO, a device or a socket), so it is not read");
        }
    }

    /// <summary>A UTF-8 text file of at most <paramref name="maxBytes"/> bytes, or an IOException saying what is wrong with it.</summary>
    internal static string ReadText(string path, int maxBytes)
    {
        RequireRegular(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var bytes = new MemoryStream();
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var nul = Array.IndexOf(buffer, (byte)0, 0, n);
            if (nul >= 0) throw new RefusedInputException($"is binary, not text (a NUL byte at offset {bytes.Length + nul})");
            if (bytes.Length + n > maxBytes) throw new RefusedInputException($"is larger than {maxBytes >> 20} MB, the limit for this file");
            bytes.Write(buffer, 0, n);
        }
        try
        {
            var text = Strict.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            throw new RefusedInputException($"is not UTF-8 text (an invalid byte at offset {Math.Max(0, e.Index)})");
        }
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, byte* status);
}
