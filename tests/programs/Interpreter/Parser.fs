module MiniLisp.Parser

/// A parser: the tokens left, or an error.
type Parser<'a> = Token list -> Result<'a * Token list, string>

/// Parsers that yield a form's parts one after another, with the name of what they read.
let sequenceOf (what: string) (parsers: Parser<'a> list) : Parser<'a list> =
    let step (parser: Parser<'a>) (acc: Result<'a list * Token list, string>) =
        match acc with
        | Ok(values, tokens) ->
            match parser tokens with
            | Ok(value, rest) -> Ok(value :: values, rest)
            | Error e -> Error(what + ": " + e)
        | Error e -> Error e
    fun tokens ->
        match List.foldBack step (List.rev parsers) (Ok([], tokens)) with
        | Ok(values, rest) -> Ok(List.rev values, rest)
        | Error e -> Error e

let rec parseExpr (tokens: Token list) : Result<Expr * Token list, string> =
    match tokens with
    | Number n :: rest -> Ok(Num n, rest)
    | Symbol s :: rest -> Ok(Sym s, rest)
    | Open :: Symbol "lambda" :: Open :: rest ->
        let names = rest |> List.takeWhile (fun t -> t <> Close) |> List.choose (function Symbol s -> Some s | _ -> None)
        match parseExpr (List.skip (names.Length + 1) rest) with
        | Ok(body, Close :: after) -> Ok(Lambda(names, body), after)
        | Ok _ -> Error "lambda: ) expected"
        | Error e -> Error e
    | Open :: Symbol "if" :: rest ->
        match sequenceOf "if" [ parseExpr; parseExpr; parseExpr ] rest with
        | Ok([ test; yes; no ], Close :: after) -> Ok(If(test, yes, no), after)
        | Ok _ -> Error "if: ) expected"
        | Error e -> Error e
    | Open :: Symbol "let" :: Symbol name :: rest ->
        match sequenceOf "let" [ parseExpr; parseExpr ] rest with
        | Ok([ bound; body ], Close :: after) -> Ok(Let(name, bound, body), after)
        | Ok _ -> Error "let: ) expected"
        | Error e -> Error e
    | Open :: rest ->
        let rec items acc tokens =
            match tokens with
            | Close :: after -> Ok(List.rev acc, after)
            | [] -> Error "call: ) expected"
            | _ ->
                match parseExpr tokens with
                | Ok(item, after) -> items (item :: acc) after
                | Error e -> Error e
        match items [] rest with
        | Ok(head :: args, after) -> Ok(Call(head, args), after)
        | Ok([], _) -> Error "empty call"
        | Error e -> Error e
    | Close :: _ -> Error "unexpected )"
    | [] -> Error "unexpected end"

/// Parses a whole program, with a generic helper that reports which form failed.
let parseProgram (source: string) =
    let tokens = Lexer.tokenize source |> List.ofSeq
    let orFail (what: string) (result: Result<'a, string>) : 'a =
        match result with
        | Ok value -> value
        | Error e -> failwithf "%s in %s: %s" what source e
    let expr, rest = orFail "expression" (parseExpr tokens)
    let count = orFail "length" (if List.isEmpty rest then Ok tokens.Length else Error "trailing tokens")
    expr, count
