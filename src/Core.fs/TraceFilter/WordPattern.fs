namespace CodeTracer.Core.TraceFilter

open System

/// One alternative of a `words` pattern.
type WordAlternative =
    { /// Lowercase words that must follow each other among the name's words.
      Words: string array
      /// `=words`: they must be all of the name's words.
      Whole: bool
      /// `words$`: they must be the name's last words.
      Last: bool
      /// `words (text)`: only a value of a text type (`TextTypes.isText`) matches.
      TextOnly: bool }

/// A `words` selector pattern: alternatives separated by `|`, the first that matches decides.
type WordPattern = { Alternatives: WordAlternative array }

/// The `words` match type: names judged by their words (`NameWords`), never by substrings.
[<RequireQualifiedAccess>]
module WordPattern =

    let private textMark = "(text)"

    let private parseAlternative (text: string) : Result<WordAlternative, string> =
        let mutable body = text.Trim()
        let textOnly = body.EndsWith(textMark, StringComparison.Ordinal)
        if textOnly then body <- body.Substring(0, body.Length - textMark.Length).TrimEnd()
        let whole = body.StartsWith '='
        if whole then body <- body.Substring 1
        let last = body.EndsWith '$'
        if last then body <- body.Substring(0, body.Length - 1)
        // Each piece is split like a name: `api key`, `apiKey` and `api_key` are the same two words.
        let words =
            body.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            |> Array.collect (fun piece -> NameWords.split piece |> Array.ofList)
        if words.Length = 0 then
            Error(sprintf "alternative \"%s\" has no word (expected words separated by spaces, e.g. \"api key\")" (text.Trim()))
        elif body.IndexOfAny [| '='; '$'; '('; ')' |] >= 0 then
            Error(
                sprintf
                    "alternative \"%s\": '=' goes first, '$' after the last word, \"(text)\" at the end"
                    (text.Trim())
            )
        else
            Ok
                { Words = words
                  Whole = whole
                  Last = last
                  TextOnly = textOnly }

    /// `alternative|alternative|...`; an alternative is words separated by spaces,
    /// optionally `=` first (the whole name), `$` after them (the last words),
    /// `(text)` at the end (text values only).
    let parse (text: string) : Result<WordPattern, string> =
        let alternatives = text.Split '|' |> Array.map parseAlternative
        match alternatives |> Array.tryPick (function Error e -> Some e | Ok _ -> None) with
        | Some e -> Error e
        | None -> Ok { Alternatives = alternatives |> Array.choose (function Ok a -> Some a | Error _ -> None) }

    let private at (name: string) (words: struct (int * int) array) (from: int) (alternative: WordAlternative) : bool =
        let mutable same = true
        let mutable k = 0
        while same && k < alternative.Words.Length do
            same <- NameWords.wordIs name words.[from + k] alternative.Words.[k]
            k <- k + 1
        same

    let private alternativeMatches (name: string) (words: struct (int * int) array) (isText: bool) (a: WordAlternative) : bool =
        let n = a.Words.Length
        if (a.TextOnly && not isText) || n > words.Length then false
        elif a.Whole then n = words.Length && at name words 0 a
        elif a.Last then at name words (words.Length - n) a
        else
            let mutable found = false
            let mutable from = 0
            while not found && from + n <= words.Length do
                found <- at name words from a
                from <- from + 1
            found

    /// Whether `name` (of a text value when `isText`) matches one of the alternatives.
    let matches (pattern: WordPattern) (isText: bool) (name: string) : bool =
        let words = NameWords.spans name
        pattern.Alternatives |> Array.exists (alternativeMatches name words isText)
