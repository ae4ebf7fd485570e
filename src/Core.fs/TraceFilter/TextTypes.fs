namespace CodeTracer.Core.TraceFilter

open System

/// A type as far as "is it text" needs it: the instrumenter builds it from a Cecil type,
/// the runtime mirrors the rule on `System.Type`.
type TypeShape =
    /// A type by full name (`System.String`, a generic definition `System.Collections.Generic.List`1`) and its type arguments.
    | Named of fullName: string * arguments: TypeShape list
    /// A one- or more-dimensional array of the element type.
    | ArrayOf of element: TypeShape

/// Which values are text, for the `(text)` alternatives of `words` patterns (a `token`
/// that is text is a secret, a lexer's `Token` object is not).
[<RequireQualifiedAccess>]
module TextTypes =
    /// The namespaces of collection types whose items make their values text.
    let private collectionNamespaces = [ "System.Collections."; "Microsoft.FSharp.Collections." ]

    let private isCollection (definition: string) =
        collectionNamespaces |> List.exists (fun ns -> definition.StartsWith(ns, StringComparison.Ordinal))

    /// `string`, `char[]`, `byte[]`, or an array or a collection (generic, of
    /// `System.Collections.*` or F#'s) whose items are text.
    let rec isText (shape: TypeShape) : bool =
        match shape with
        | Named("System.String", []) -> true
        | ArrayOf(Named(("System.Char" | "System.Byte"), [])) -> true
        | ArrayOf element -> isText element
        | Named(definition, (_ :: _ as arguments)) -> isCollection definition && List.forall isText arguments
        | Named _ -> false
