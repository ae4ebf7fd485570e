namespace CodeTracer.Core.Common

open System
open System.Text

/// The text of a JSON string, for trace.json and the side files alike: lone UTF-16
/// surrogates become U+FFFD (the text must encode as valid UTF-8), and quote,
/// backslash and control characters are escaped. Pure: no IO, no culture dependence.
[<RequireQualifiedAccess>]
module JsonText =

    let private replacementChar = '\uFFFD'

    let private hexDigits = "0123456789abcdef"

    /// Index of the first lone surrogate of `s` at or after `start`, or -1.
    let private indexOfLoneSurrogate (s: string) (start: int) : int =
        let mutable i = start
        let mutable found = -1
        while found < 0 && i < s.Length do
            let c = s.[i]
            if Char.IsHighSurrogate c then
                if i + 1 < s.Length && Char.IsLowSurrogate s.[i + 1] then i <- i + 2
                else found <- i
            elif Char.IsLowSurrogate c then found <- i
            else i <- i + 1
        found

    /// Replaces every lone UTF-16 surrogate of `s` by U+FFFD, so the text encodes as valid
    /// UTF-8. Returns `s` itself (no allocation) when it holds no lone surrogate.
    let sanitize (s: string) : string =
        if String.IsNullOrEmpty s then s
        else
            let first = indexOfLoneSurrogate s 0
            if first < 0 then s
            else
                let chars = s.ToCharArray()
                let mutable i = first
                while i < chars.Length do
                    let c = chars.[i]
                    if Char.IsHighSurrogate c then
                        if i + 1 < chars.Length && Char.IsLowSurrogate chars.[i + 1] then i <- i + 2
                        else
                            chars.[i] <- replacementChar
                            i <- i + 1
                    elif Char.IsLowSurrogate c then
                        chars.[i] <- replacementChar
                        i <- i + 1
                    else i <- i + 1
                System.String(chars)

    let private appendEscapeU (sb: StringBuilder) (c: char) : unit =
        let n = int c
        sb
            .Append("\\u")
            .Append(hexDigits.[(n >>> 12) &&& 0xF])
            .Append(hexDigits.[(n >>> 8) &&& 0xF])
            .Append(hexDigits.[(n >>> 4) &&& 0xF])
            .Append(hexDigits.[n &&& 0xF])
        |> ignore

    /// Appends `s` as a quoted JSON string: escapes quote, backslash and control
    /// characters, replaces lone surrogates by U+FFFD, writes other characters as is.
    let appendString (sb: StringBuilder) (s: string) : unit =
        sb.Append('"') |> ignore
        let len = if obj.ReferenceEquals(s, null) then 0 else s.Length
        // Start of the pending run of characters that need no escaping.
        let mutable run = 0
        let mutable i = 0
        while i < len do
            let c = s.[i]
            if c >= ' ' && c <> '"' && c <> '\\' && not (Char.IsSurrogate c) then
                i <- i + 1
            elif Char.IsHighSurrogate c && i + 1 < len && Char.IsLowSurrogate s.[i + 1] then
                i <- i + 2
            else
                if i > run then sb.Append(s, run, i - run) |> ignore
                match c with
                | '"' -> sb.Append("\\\"") |> ignore
                | '\\' -> sb.Append("\\\\") |> ignore
                | '\n' -> sb.Append("\\n") |> ignore
                | '\r' -> sb.Append("\\r") |> ignore
                | '\t' -> sb.Append("\\t") |> ignore
                | '\b' -> sb.Append("\\b") |> ignore
                | '\012' -> sb.Append("\\f") |> ignore
                | _ when Char.IsSurrogate c -> sb.Append(replacementChar) |> ignore
                | _ -> appendEscapeU sb c
                i <- i + 1
                run <- i
        if len > run then sb.Append(s, run, len - run) |> ignore
        sb.Append('"') |> ignore
