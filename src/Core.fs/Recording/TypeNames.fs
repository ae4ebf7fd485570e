namespace CodeTracer.Core.Recording

open System

/// Type names as a C# developer reads them: keywords for the built-in types,
/// `List<int>` for generics, `Outer.Inner` for nested types, platform types
/// without their namespace.
[<RequireQualifiedAccess>]
module TypeNames =
    let private keywords =
        dict
            [ "System.Boolean", "bool"; "System.Byte", "byte"; "System.SByte", "sbyte"; "System.Char", "char"
              "System.Int16", "short"; "System.UInt16", "ushort"; "System.Int32", "int"; "System.UInt32", "uint"
              "System.Int64", "long"; "System.UInt64", "ulong"; "System.IntPtr", "nint"; "System.UIntPtr", "nuint"
              "System.Single", "float"; "System.Double", "double"; "System.Decimal", "decimal"
              "System.String", "string"; "System.Object", "object"; "System.Void", "void" ]

    /// The C# keyword for a built-in type's full name (`System.Int32` → `int`).
    let keywordOf (fullName: string) : string option =
        match keywords.TryGetValue fullName with
        | true, k -> Some k
        | _ -> None

    /// A non-generic type's name for display: the keyword, or the name with `+`
    /// (nesting) shown as `.`, the namespace dropped for platform types, and the
    /// generic arity suffix (`` `1 ``) removed.
    let simple (fullName: string) : string =
        match keywordOf fullName with
        | Some k -> k
        | None ->
            let typePart =
                if fullName.StartsWith("System.", StringComparison.Ordinal) then
                    let plus = fullName.IndexOf '+'
                    let nsEnd = fullName.LastIndexOf('.', (if plus < 0 then fullName.Length - 1 else plus))
                    fullName.Substring(nsEnd + 1)
                else
                    fullName
            typePart.Replace('+', '.').Split('.')
            |> Array.map (fun part ->
                match part.IndexOf '`' with
                | -1 -> part
                | i -> part.Substring(0, i))
            |> String.concat "."

    /// A generic instantiation: `List` and `[int]` give `List<int>`.
    let generic (name: string) (args: string list) : string =
        if List.isEmpty args then name else name + "<" + String.Join(", ", args) + ">"

    // Reflection full names: Name`1[[Arg, Assembly, ...],[Arg2, ...]][], nested with '+'.
    let rec private parseAt (s: string) (i: int) : string * int =
        let mutable j = i
        while j < s.Length && s.[j] <> '[' && s.[j] <> ',' && s.[j] <> ']' do
            j <- j + 1
        let baseName = s.Substring(i, j - i)
        let mutable args = []
        let mutable k = j
        // Generic arguments: "[[" ... "]]"
        if k + 1 < s.Length && s.[k] = '[' && s.[k + 1] = '[' then
            k <- k + 1
            let mutable fin = false
            while not fin && k < s.Length && s.[k] = '[' do
                let arg, next = parseAt s (k + 1)
                args <- args @ [ arg ]
                // skip ", Assembly, Version=..." up to the closing ']' of this argument
                let mutable m = next
                let mutable depth = 0
                while m < s.Length && not (s.[m] = ']' && depth = 0) do
                    if s.[m] = '[' then depth <- depth + 1
                    elif s.[m] = ']' then depth <- depth - 1
                    m <- m + 1
                k <- m + 1
                if k < s.Length && s.[k] = ',' then k <- k + 1 else fin <- true
            if k < s.Length && s.[k] = ']' then k <- k + 1
        let mutable name = generic (simple baseName) args
        // Array suffixes: [] or [,]
        while k + 1 < s.Length && s.[k] = '[' && (s.[k + 1] = ']' || s.[k + 1] = ',') do
            let close = s.IndexOf(']', k)
            name <- name + s.Substring(k, close - k + 1)
            k <- close + 1
        name, k

    /// The display name of a reflection full name (`Type.FullName`), as the
    /// runtime reports the types of the values it reads.
    let ofReflectionName (fullName: string) : string =
        if String.IsNullOrEmpty fullName then "?" else fst (parseAt fullName 0)
