module MiniLisp.Lexer

open System

/// The tokens of a source text, read lazily.
let tokenize (source: string) =
    seq {
        let mutable i = 0
        while i < source.Length do
            let c = source.[i]
            if c = '(' then
                yield Open
                i <- i + 1
            elif c = ')' then
                yield Close
                i <- i + 1
            elif Char.IsWhiteSpace c then
                i <- i + 1
            else
                let start = i
                while i < source.Length && not (Char.IsWhiteSpace source.[i]) && source.[i] <> '(' && source.[i] <> ')' do
                    i <- i + 1
                let word = source.Substring(start, i - start)
                match Double.TryParse(word, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
                | true, n -> yield Number n
                | _ -> yield Symbol word
    }
