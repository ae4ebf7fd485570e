namespace CodeTracer.Core.Recording

/// RFC 9562 UUID version 7 (the `recording_id` of trace_metadata.json): a 48-bit
/// big-endian Unix millisecond timestamp, then random bits. The clock and the random
/// source are passed in, so this module stays pure.
[<RequireQualifiedAccess>]
module Uuid7 =

    let private hexDigits = "0123456789abcdef"

    /// Maximum timestamp a UUIDv7 holds (2^48 - 1 ms).
    let private maxMillis = (1L <<< 48) - 1L

    let private hexValue (c: char) : int =
        if c >= '0' && c <= '9' then int c - int '0'
        elif c >= 'a' && c <= 'f' then int c - int 'a' + 10
        elif c >= 'A' && c <= 'F' then int c - int 'A' + 10
        else -1

    let private isHyphenPosition (i: int) = i = 8 || i = 13 || i = 18 || i = 23

    /// The UUIDv7 text (lowercase, hyphenated, 36 chars) for `unixMillis` and the first 10
    /// bytes of `randomBytes`. Missing bytes (a shorter or null array) count as zeros and
    /// extra bytes are ignored; only the low 48 bits of `unixMillis` are used.
    let create (unixMillis: int64) (randomBytes: byte[]) : string =
        let random (i: int) : byte =
            if obj.ReferenceEquals(randomBytes, null) || i >= randomBytes.Length then 0uy
            else randomBytes.[i]
        let ms = unixMillis &&& maxMillis
        let bytes = Array.zeroCreate<byte> 16
        for i in 0..5 do
            bytes.[i] <- byte ((ms >>> (8 * (5 - i))) &&& 0xFFL)
        bytes.[6] <- 0x70uy ||| (random 0 &&& 0x0Fuy)
        bytes.[7] <- random 1
        bytes.[8] <- 0x80uy ||| (random 2 &&& 0x3Fuy)
        for i in 9..15 do
            bytes.[i] <- random (i - 6)
        let chars = Array.zeroCreate<char> 36
        let mutable pos = 0
        for i in 0..15 do
            if i = 4 || i = 6 || i = 8 || i = 10 then
                chars.[pos] <- '-'
                pos <- pos + 1
            chars.[pos] <- hexDigits.[int (bytes.[i] >>> 4)]
            chars.[pos + 1] <- hexDigits.[int (bytes.[i] &&& 0x0Fuy)]
            pos <- pos + 2
        System.String(chars)

    /// The millisecond timestamp of a hyphenated UUIDv7 text (either case), or None when the
    /// text is not a hyphenated UUID with version 7 and the RFC 9562 variant.
    let tryParseTimestamp (text: string) : int64 option =
        if obj.ReferenceEquals(text, null) || text.Length <> 36 then None
        else
            let mutable ok = true
            let mutable i = 0
            while ok && i < 36 do
                if isHyphenPosition i then ok <- text.[i] = '-'
                else ok <- hexValue text.[i] >= 0
                i <- i + 1
            if not ok || hexValue text.[14] <> 7 || (hexValue text.[19] &&& 0xC) <> 0x8 then None
            else
                let mutable ms = 0L
                for j in 0..12 do
                    if j <> 8 then ms <- (ms <<< 4) ||| int64 (hexValue text.[j])
                Some ms
