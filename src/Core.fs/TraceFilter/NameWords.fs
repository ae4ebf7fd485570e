namespace CodeTracer.Core.TraceFilter

open System

/// The words of a name, as a person reads them: `connectionString`, `ConnectionString`,
/// `connection_string` and `CONNECTION-STRING` are the words `connection` and `string`.
/// Everything works char by char (`Char.IsUpper`, `Char.ToLowerInvariant`), so that the
/// runtime, which mirrors it without the core, agrees on every name.
[<RequireQualifiedAccess>]
module NameWords =

    /// The part of `name` a person wrote, as (start, length): the compiler's wrappings
    /// `<Name>k__BackingField`, `<Name>i__Field`, `<name>5__2` give `Name`; an F# field
    /// `name@` or closure copy `name@12` gives `name`; a leading `m_` or `s_` is left out
    /// (a leading `_` needs nothing: it separates no word).
    let unwrapped (name: string) : struct (int * int) =
        let mutable start = 0
        let mutable stop = name.Length
        if name.Length > 1 && name.[0] = '<' then
            let close = name.IndexOf('>', 1)
            if close > 1 then
                start <- 1
                stop <- close
        else
            let at = name.LastIndexOf '@'
            let mutable digitsAfter = at > 0
            let mutable i = at + 1
            while digitsAfter && i < name.Length do
                if not (Char.IsAsciiDigit name.[i]) then digitsAfter <- false
                i <- i + 1
            if digitsAfter then stop <- at
        if stop - start > 2 && (name.[start] = 'm' || name.[start] = 's') && name.[start + 1] = '_' then
            start <- start + 2
        struct (start, stop - start)

    let private isWordChar (c: char) = Char.IsLetterOrDigit c

    /// Whether a word starts at `i` inside a run of letters and digits (`i` > its start):
    /// `aB` (lower to upper), `a1` and `1a` (letters and digits), `ABc` (the last capital
    /// of an acronym starts the next word: `APIKey` is `API` `Key`).
    let private startsWord (name: string) (i: int) (stop: int) : bool =
        let p = name.[i - 1]
        let c = name.[i]
        (Char.IsLower p && Char.IsUpper c)
        || (Char.IsLetter p && Char.IsDigit c)
        || (Char.IsDigit p && Char.IsLetter c)
        || (Char.IsUpper p && Char.IsUpper c && i + 1 < stop && Char.IsLower name.[i + 1])

    /// The words of the unwrapped name as (start, length) in `name`, in order.
    let spans (name: string) : struct (int * int) array =
        let struct (first, length) = unwrapped name
        let stop = first + length
        let words = ResizeArray<struct (int * int)>()
        let mutable i = first
        while i < stop do
            if not (isWordChar name.[i]) then
                i <- i + 1
            else
                let mutable j = i + 1
                while j < stop && isWordChar name.[j] && not (startsWord name j stop) do
                    j <- j + 1
                words.Add(struct (i, j - i))
                i <- j
        words.ToArray()

    /// The words of a name, in lowercase (char by char, invariant culture).
    let split (name: string) : string list =
        [ for struct (start, length) in spans name ->
              String(Array.init length (fun k -> Char.ToLowerInvariant name.[start + k])) ]

    /// Whether the word of `name` at (start, length) is `word` (lowercase), ignoring case.
    let wordIs (name: string) (struct (start, length): struct (int * int)) (word: string) : bool =
        if length <> word.Length then
            false
        else
            let mutable same = true
            let mutable k = 0
            while same && k < length do
                same <- Char.ToLowerInvariant name.[start + k] = word.[k]
                k <- k + 1
            same
