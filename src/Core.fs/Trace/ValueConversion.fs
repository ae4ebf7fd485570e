namespace CodeTracer.Core.Trace

open System
open System.Globalization
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// The types registered so far: display name and kind to type id. Plain maps keyed by
/// int and string: a struct-tuple key compares through slow structural comparison.
type TypeRegistry =
    { /// Type id by kind, then display name.
      Ids: Map<int, Map<string, int>>
      /// Struct type ids by display name, one per list of field names.
      Structs: Map<string, (string list * int) list>
      /// Display names of the reflection names seen so far (parsing one is costly).
      Names: Map<string, string>
      Count: int
      /// Values inside recorded objects (fields, dictionary entries) the runtime wrote
      /// redacted, and dropped: the filter's run-time counters, kept where every value passes.
      InnerRedactions: int64
      InnerDrops: int64 }

/// Turning the runtime's raw values into trace values with registered types.
[<RequireQualifiedAccess>]
module ValueConversion =
    /// Type 0, the loader's type of a missing value.
    let noneTypeId = 0

    /// A registry holding only type 0.
    let initialRegistry =
        { Ids = Map.ofList [ TypeKind.None, Map.ofList [ "None", 0 ] ]; Structs = Map.empty; Names = Map.empty; Count = 1; InnerRedactions = 0L; InnerDrops = 0L }

    /// The id of a type, registering it (and returning its Type event) when new.
    let register (kind: int) (name: string) (reg: TypeRegistry) : int * TypeRegistry * TraceEvent list =
        let names =
            match reg.Ids.TryGetValue kind with
            | true, m -> m
            | _ -> Map.empty
        match names.TryGetValue name with
        | true, id -> id, reg, []
        | _ ->
            let id = reg.Count
            id, { reg with Ids = Map.add kind (Map.add name id names) reg.Ids; Count = id + 1 }, [ TraceEvent.Type(kind, name, NoInfo) ]

    /// A value the filter redacted: `Error "<redacted>"` of type `Redacted` (trace-filter.md).
    let redacted (reg: TypeRegistry) : ValueRecord * TypeRegistry * TraceEvent list =
        let id, reg', evs = register TypeKind.Error "Redacted" reg
        ValueRecord.Error("<redacted>", id), reg', evs

    /// A value the filter dropped, shown in its place: `Raw "<dropped>"`.
    let dropped (reg: TypeRegistry) : ValueRecord * TypeRegistry * TraceEvent list =
        let id, reg', evs = register TypeKind.Raw "<dropped>" reg
        Raw("<dropped>", id), reg', evs

    /// The trace type kind of the generic `object` type the fields of composite values are converted against.
    [<Literal>]
    let AnyKind = 32

    let rec private sameNames (names: string list) (fields: (string * int) list) =
        match names, fields with
        | [], [] -> true
        | n :: ns, (f, _) :: fs -> String.Equals(n, f) && sameNames ns fs
        | _ -> false

    /// A Struct type with its fields (name, type id), registered once per (name, field names):
    /// its Type event carries the fields, so every value of it has as many field values.
    let registerStruct (name: string) (fields: (string * int) list) (reg: TypeRegistry) : int * TypeRegistry * TraceEvent list =
        let known =
            match reg.Structs.TryGetValue name with
            | true, k -> k
            | _ -> []
        let rec find (entries: (string list * int) list) =
            match entries with
            | (names, id) :: _ when sameNames names fields -> Some id
            | _ :: rest -> find rest
            | [] -> None
        match find known with
        | Some id -> id, reg, []
        | None ->
            let id = reg.Count
            let structs = Map.add name ((List.map fst fields, id) :: known) reg.Structs
            id, { reg with Structs = structs; Count = id + 1 }, [ TraceEvent.Type(TypeKind.Struct, name, StructInfo fields) ]

    /// The display name of a reflection type name, parsed once per registry.
    let displayName (typeName: string) (reg: TypeRegistry) : string * TypeRegistry =
        match reg.Names.TryGetValue typeName with
        | true, n -> n, reg
        | _ ->
            let n = TypeNames.ofReflectionName typeName
            n, { reg with Names = Map.add typeName n reg.Names }

    /// The type id a value record carries.
    let typeIdOf (v: ValueRecord) : int =
        match v with
        | Int(_, t) | BigInt(_, _, t) | Float(_, t) | Bool(_, t) | ValueRecord.String(_, t) | ValueRecord.Char(_, t)
        | Sequence(_, _, t) | Tuple(_, t) | Struct(_, t) | Variant(_, _, t) | Raw(_, t) | Error(_, t) | NoneValue t -> t

    /// A tuple type's display name: `ValueTuple<int, string>` → `(int, string)`.
    let tupleName (name: string) : string =
        if name.StartsWith("ValueTuple<", StringComparison.Ordinal) && name.EndsWith(">", StringComparison.Ordinal) then
            "(" + name.Substring(11, name.Length - 12) + ")"
        else name

    /// A magnitude (base64, big-endian) as an int64 when it fits.
    let fitsInt64 (magnitudeBase64: string) (negative: bool) : int64 option =
        try
            let bytes = Convert.FromBase64String magnitudeBase64 |> Array.skipWhile (fun b -> b = 0uy)
            if bytes.Length > 8 then None
            else
                let u = bytes |> Array.fold (fun (acc: uint64) b -> (acc <<< 8) ||| uint64 b) 0UL
                if not negative && u <= uint64 Int64.MaxValue then Some(int64 u)
                elif negative && u <= 9223372036854775808UL then Some(if u = 9223372036854775808UL then Int64.MinValue else -(int64 u))
                else None
        with _ -> None

    /// The trace type kind for a declared C# type name.
    let kindOfDeclared (typeName: string) (shape: Shape) : int =
        match shape with
        | EnumOf _ -> TypeKind.Variant
        | Plain ->
            match typeName with
            | "sbyte" | "byte" | "short" | "ushort" | "int" | "uint" | "long" | "ulong" | "nint" | "nuint" -> TypeKind.Int
            | "float" | "double" | "decimal" | "Half" -> TypeKind.Float
            | "bool" -> TypeKind.Bool
            | "char" -> TypeKind.Char
            | "string" -> TypeKind.String
            | n when n.EndsWith("[]", StringComparison.Ordinal) -> TypeKind.Array
            | n when n.EndsWith("]", StringComparison.Ordinal) && n.Contains "[" -> TypeKind.Array
            | n when n.StartsWith("List<", StringComparison.Ordinal) -> TypeKind.Seq
            | n when n.StartsWith("(", StringComparison.Ordinal) -> TypeKind.Tuple
            | _ -> TypeKind.Raw

    /// Member name(s) of an enum value: the member, `A | B` for flags, else the number.
    let enumText (members: (string * int64) array) (isFlags: bool) (bits: int64) : string =
        match members |> Array.tryFind (fun (_, v) -> v = bits) with
        | Some(name, _) -> name
        | None when isFlags && bits <> 0L ->
            let parts = members |> Array.filter (fun (_, v) -> v <> 0L && (bits &&& v) = v)
            let covered = parts |> Array.fold (fun acc (_, v) -> acc ||| v) 0L
            if parts.Length > 0 && covered = bits then parts |> Array.map fst |> String.concat " | "
            else string bits
        | None -> bits.ToString(CultureInfo.InvariantCulture)

    /// The kind of the `object` type that composite values' fields are converted against.
    let private objectKind = kindOfDeclared "object" Plain

    let private cutMarker (full: int) (kept: int) = sprintf "…<%d more chars>" (full - kept)

    /// Big-endian magnitude in base64, as BigInt values carry it.
    let private bigIntOfUInt64 (u: uint64) =
        let bytes = BitConverter.GetBytes u
        let be = if BitConverter.IsLittleEndian then Array.rev bytes else bytes
        Convert.ToBase64String(be |> Array.skipWhile (fun b -> b = 0uy))

    /// A raw value shown with the given declared type (display name and id).
    let rec convert (declared: string) (declaredId: int) (shape: Shape) (raw: RawValue) (reg: TypeRegistry) : ValueRecord * TypeRegistry * TraceEvent list =
        convertDeclared (kindOfDeclared declared shape) declared declaredId shape raw reg

    /// `convert` given the declared type's kind (`kindOfDeclared declared shape`), which a
    /// caller converting many values of one slot works out once.
    and convertDeclared (declaredKind: int) (declared: string) (declaredId: int) (shape: Shape) (raw: RawValue) (reg: TypeRegistry) : ValueRecord * TypeRegistry * TraceEvent list =
        let inline typed kind name (make: int -> ValueRecord) =
            if name = declared && declaredKind = kind then make declaredId, reg, []
            else
                let id, reg', evs = register kind name reg
                make id, reg', evs
        match raw with
        | RNull when declared.Contains("FSharpOption<", StringComparison.Ordinal) ->
            // F# None is null at run time: shown as the option's None case.
            let id, reg1, evs = register TypeKind.Variant declared reg
            Variant("None", NoneValue noneTypeId, id), reg1, evs
        | RNull -> NoneValue declaredId, reg, []
        | RInt i ->
            match shape with
            | EnumOf(members, flags) ->
                let intId, reg', evs = register TypeKind.Int "long" reg
                Variant(enumText members flags i, Int(i, intId), declaredId), reg', evs
            | Plain -> typed TypeKind.Int (if declaredKind = TypeKind.Int then declared else "long") (fun id -> Int(i, id))
        | RUInt u ->
            let name = if declaredKind = TypeKind.Int then declared else "ulong"
            if u <= uint64 Int64.MaxValue then typed TypeKind.Int name (fun id -> Int(int64 u, id))
            else typed TypeKind.Int name (fun id -> BigInt(bigIntOfUInt64 u, false, id))
        | RDouble d -> typed TypeKind.Float "double" (fun id -> Float(Json.formatDouble d, id))
        | RSingle f -> typed TypeKind.Float "float" (fun id -> Float(Json.formatSingle f, id))
        | RDecimal m -> typed TypeKind.Float "decimal" (fun id -> Float(m.ToString(CultureInfo.InvariantCulture), id))
        | RBool b -> typed TypeKind.Bool "bool" (fun id -> Bool(b, id))
        | RChar c when Char.IsSurrogate c -> typed TypeKind.Raw "char" (fun id -> Raw(sprintf "\\u%04x" (int c), id))
        | RChar c -> typed TypeKind.Char "char" (fun id -> ValueRecord.Char(string c, id))
        | RString(text, full) ->
            let shown = if full > text.Length then text + cutMarker full text.Length else text
            typed TypeKind.String "string" (fun id -> ValueRecord.String(shown, id))
        | RBoxed(typeName, inner) ->
            let name, reg = displayName typeName reg
            let kind = kindOfDeclared name Plain
            let id, reg1, evs1 = register kind name reg
            let v, reg2, evs2 = convert name id Plain inner reg1
            v, reg2, evs1 @ evs2
        | REnum(typeName, bits, names) ->
            let name, reg = displayName typeName reg
            let id, reg1, evs1 = register TypeKind.Variant name reg
            let intId, reg2, evs2 = register TypeKind.Int "long" reg1
            Variant(names, Int(bits, intId), id), reg2, evs1 @ evs2
        | RRawObject typeName ->
            let name, reg = displayName typeName reg
            let id, reg1, evs = register TypeKind.Raw name reg
            Raw(name, id), reg1, evs
        | RStruct(typeName, fields) ->
            let name, reg = displayName typeName reg
            let values, reg1, evs1 = convertAll (List.map snd fields) reg
            let fieldTypes = List.map2 (fun (field: string, _) v -> field, typeIdOf v) fields values
            let id, reg2, evs2 = registerStruct name fieldTypes reg1
            Struct(values, id), reg2, evs1 @ evs2
        | RTuple(typeName, items) ->
            let name, reg = displayName typeName reg
            let name = tupleName name
            let values, reg1, evs1 = convertAll items reg
            let id, reg2, evs2 = register TypeKind.Tuple name reg1
            ValueRecord.Tuple(values, id), reg2, evs1 @ evs2
        | RVariant(typeName, case, contents) ->
            let name, reg = displayName typeName reg
            let values, reg1, evs1 = convertAll contents reg
            let inner, reg2, evs2 =
                match values with
                | [] -> NoneValue noneTypeId, reg1, []
                | [ v ] -> v, reg1, []
                | vs ->
                    let tid, r, e = register TypeKind.Tuple "tuple" reg1
                    ValueRecord.Tuple(vs, tid), r, e
            let id, reg3, evs3 = register TypeKind.Variant name reg2
            Variant(case, inner, id), reg3, evs1 @ evs2 @ evs3
        | RBigInt(typeName, negative, magnitude) ->
            let name, reg = displayName typeName reg
            let id, reg1, evs = register TypeKind.Int name reg
            match fitsInt64 magnitude negative with
            | Some i -> Int(i, id), reg1, evs
            | None -> BigInt(magnitude, negative, id), reg1, evs
        | RRawText(typeName, text) ->
            let name, reg = displayName typeName reg
            let id, reg1, evs = register TypeKind.Raw name reg
            Raw(text, id), reg1, evs
        | RRedacted -> redacted { reg with InnerRedactions = reg.InnerRedactions + 1L }
        | RDropped -> dropped { reg with InnerDrops = reg.InnerDrops + 1L }
        | RSequence(typeName, total, items) ->
            let name, reg = displayName typeName reg
            let kind =
                if name.EndsWith("]", StringComparison.Ordinal) then TypeKind.Array
                elif isSetName name then TypeKind.Set
                else TypeKind.Seq
            let id, reg1, evs1 = register kind name reg
            let elementName = elementTypeOf name
            let elementKind = kindOfDeclared elementName Plain
            let elemId, reg2, evs2 = register elementKind elementName reg1
            // Loops with mutable locals, not a fold over tuples: one allocation less per element.
            let mutable elems = []
            let mutable reg3 = reg2
            let mutable evs3 = []
            for item in items do
                let v, r, e = convertDeclared elementKind elementName elemId Plain item reg3
                elems <- v :: elems
                reg3 <- r
                if not e.IsEmpty then evs3 <- evs3 @ e
            let kept = List.length items
            let elems, reg4, evs4 =
                if total > kept then
                    let rawId, r, e = register TypeKind.Raw "<more>" reg3
                    Raw(sprintf "…<%d more>" (total - kept), rawId) :: elems, r, e
                else elems, reg3, []
            Sequence(List.rev elems, false, id), reg4, evs1 @ evs2 @ evs3 @ evs4

    /// Values inside a composite, converted against the generic `object` type.
    and private convertAll (raws: RawValue list) (reg: TypeRegistry) : ValueRecord list * TypeRegistry * TraceEvent list =
        let anyId, reg0, evs0 = register AnyKind "object" reg
        let mutable values = []
        let mutable reg1 = reg0
        let mutable evs1 = []
        for raw in raws do
            let v, r, e = convertDeclared objectKind "object" anyId Plain raw reg1
            values <- v :: values
            reg1 <- r
            if not e.IsEmpty then evs1 <- evs1 @ e
        List.rev values, reg1, evs0 @ evs1

    /// A set's display name: its generic type's name ends in `Set` (`HashSet<int>`, `ImmutableHashSet<int>`).
    and isSetName (name: string) : bool =
        let lt = name.IndexOf '<'
        lt > 3 && name.Substring(0, lt).EndsWith("Set", StringComparison.Ordinal)

    /// The element type's display name of `T[]`, `T[,]`, `List<T>`, `HashSet<T>`; `(K, V)` for a map, a
    /// sequence type with two type arguments (`Dictionary<K, V>`, `SortedList<K, V>`); `?` when unknown.
    and elementTypeOf (sequenceName: string) : string =
        if sequenceName.EndsWith("]", StringComparison.Ordinal) && sequenceName.Contains "[" then sequenceName.Substring(0, sequenceName.LastIndexOf '[')
        else
            let lt = sequenceName.IndexOf '<'
            if lt > 0 && sequenceName.EndsWith(">", StringComparison.Ordinal) then
                let args = sequenceName.Substring(lt + 1, sequenceName.Length - lt - 2)
                if topLevelCommas args > 0 then "(" + args + ")" else args
            else "?"

    /// The commas of a type argument list outside any nested `<>`, `()` or `[]`.
    and private topLevelCommas (args: string) : int =
        let mutable depth = 0
        let mutable commas = 0
        for c in args do
            match c with
            | '<' | '(' | '[' -> depth <- depth + 1
            | '>' | ')' | ']' -> depth <- depth - 1
            | ',' when depth = 0 -> commas <- commas + 1
            | _ -> ()
        commas
