namespace CodeTracer.Core.Common

/// Results whose errors accumulate, for inputs that can have many faults (a filter
/// file reports every error it holds, not only the first): `Result<'T, 'E list>`.
[<RequireQualifiedAccess>]
module Validation =

    /// `f` of both values, or the errors of both, the first's before the second's.
    let map2 (f: 'a -> 'b -> 'c) (a: Result<'a, 'e list>) (b: Result<'b, 'e list>) : Result<'c, 'e list> =
        match a, b with
        | Ok x, Ok y -> Ok(f x y)
        | Error e1, Error e2 -> Error(e1 @ e2)
        | Error e, Ok _
        | Ok _, Error e -> Error e

    /// `f` of every item, or the errors of every item that failed, in order.
    let traverse (f: 'a -> Result<'b, 'e list>) (xs: 'a list) : Result<'b list, 'e list> =
        List.foldBack (fun x acc -> map2 (fun h t -> h :: t) (f x) acc) xs (Ok [])
