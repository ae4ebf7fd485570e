namespace CodeTracer.Core.Common

/// The computation expressions over Result of every area: `result { let! .. }` stops
/// at the first error (decoders: one problem aborts the read), `validation { let! ..
/// and! .. }` keeps the errors of every `and!` (loaders of files with many faults).
[<AutoOpen>]
module ResultBuilders =

    /// The builder of `result { }`: Result.bind, the first error wins.
    type ResultBuilder() =
        member _.Return(x) = Ok x
        member _.ReturnFrom(r: Result<_, _>) = r
        member _.Bind(r: Result<'T, 'E>, f: 'T -> Result<'U, 'E>) = Result.bind f r
        member _.Zero() = Ok()

    /// The builder of `validation { }`: `and!` joins the sources with `Validation.map2`.
    type ValidationBuilder() =
        member _.Return(x: 'a) : Result<'a, 'e list> = Ok x
        member _.ReturnFrom(x: Result<'a, 'e list>) = x
        member _.BindReturn(x: Result<'a, 'e list>, f: 'a -> 'b) = Result.map f x
        member _.MergeSources(a: Result<'a, 'e list>, b: Result<'b, 'e list>) = Validation.map2 (fun x y -> x, y) a b
        member _.Bind(x: Result<'a, 'e list>, f: 'a -> Result<'b, 'e list>) = Result.bind f x

    /// Stops at the first error.
    let result = ResultBuilder()

    /// Keeps the errors of every `and!`.
    let validation = ValidationBuilder()
