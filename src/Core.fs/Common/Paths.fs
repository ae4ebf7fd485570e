namespace CodeTracer.Core.Common

open System

/// Path text as the trace and the filters see it, on any platform: a path
/// recorded on Windows is read on Linux and the other way round, so the host's
/// `Path.IsPathRooted` (which knows one platform's rules) cannot decide.
[<RequireQualifiedAccess>]
module Paths =

    /// An absolute path: `/...` (POSIX), or `C:\...`, `C:/...`, `\\server\...` (Windows).
    /// `C:file` and `\dir` name a place relative to a drive's current folder or root: not absolute.
    let isAbsolute (p: string) : bool =
        p.StartsWith '/'
        || p.StartsWith @"\\"
        || (p.Length >= 3 && Char.IsAsciiLetter p.[0] && p.[1] = ':' && (p.[2] = '\\' || p.[2] = '/'))
