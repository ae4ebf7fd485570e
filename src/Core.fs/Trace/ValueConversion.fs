namespace CodeTracer.Core.Trace

open System
open System.Globalization
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// The types registered so far: display name and kind to type id.
type TypeRegistry =
    { Ids: Map<struct (int * string), int>
      Count: int }

/// Turning the runtime's raw values into trace values with registered types.
[<RequireQualifiedAccess>]
module ValueConversion =
    /// Type 0, the loader's type of a missing value.
    let noneTypeId = 0

    /// A registry holding only type 0.
    let initialRegistry =
        { Ids = Map.ofList [ struct (TypeKind.None, "None"), 0 ]; Count = 1 }

    /// The id of a type, registering it (and returning its Type event) when new.
    let register (kind: int) (name: string) (reg: TypeRegistry) : int * TypeRegistry * TraceEvent list =
        match Map.tryFind (struct (kind, name)) reg.Ids with
        | Some id -> id, reg, []
        | None ->
            let id = reg.Count
            id, { Ids = Map.add (struct (kind, name)) id reg.Ids; Count = id + 1 }, [ TraceEvent.Type(kind, name, NoInfo) ]

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
            | n when n.StartsWith("List<", StringComparison.Ordinal) -> TypeKind.Seq
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

    let private cutMarker (full: int) (kept: int) = sprintf "…<%d more chars>" (full - kept)

    /// Big-endian magnitude in base64, as BigInt values carry it.
    let private bigIntOfUInt64 (u: uint64) =
        let bytes = BitConverter.GetBytes u
        let be = if BitConverter.IsLittleEndian then Array.rev bytes else bytes
        Convert.ToBase64String(be |> Array.skipWhile (fun b -> b = 0uy))

    /// A raw value shown with the given declared type (display name and id).
    let rec convert (declared: string) (declaredId: int) (shape: Shape) (raw: RawValue) (reg: TypeRegistry) : ValueRecord * TypeRegistry * TraceEvent list =
        let typed kind name (make: int -> ValueRecord) =
            if name = declared && kindOfDeclared declared shape = kind then make declaredId, reg, []
            else
                let id, reg', evs = register kind name reg
                make id, reg', evs
        match raw with
        | RNull -> NoneValue declaredId, reg, []
        | RInt i ->
            match shape with
            | EnumOf(members, flags) ->
                let intId, reg', evs = register TypeKind.Int "long" reg
                Variant(enumText members flags i, Int(i, intId), declaredId), reg', evs
            | Plain -> typed TypeKind.Int (if kindOfDeclared declared shape = TypeKind.Int then declared else "long") (fun id -> Int(i, id))
        | RUInt u ->
            let name = if kindOfDeclared declared shape = TypeKind.Int then declared else "ulong"
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
            let name = TypeNames.ofReflectionName typeName
            let kind = kindOfDeclared name Plain
            let id, reg1, evs1 = register kind name reg
            let v, reg2, evs2 = convert name id Plain inner reg1
            v, reg2, evs1 @ evs2
        | REnum(typeName, bits, names) ->
            let name = TypeNames.ofReflectionName typeName
            let id, reg1, evs1 = register TypeKind.Variant name reg
            let intId, reg2, evs2 = register TypeKind.Int "long" reg1
            Variant(names, Int(bits, intId), id), reg2, evs1 @ evs2
        | RRawObject typeName ->
            let name = TypeNames.ofReflectionName typeName
            let id, reg1, evs = register TypeKind.Raw name reg
            Raw(name, id), reg1, evs
        | RSequence(typeName, total, items) ->
            let name = TypeNames.ofReflectionName typeName
            let kind = if name.EndsWith("[]", StringComparison.Ordinal) then TypeKind.Array else TypeKind.Seq
            let id, reg1, evs1 = register kind name reg
            let elementName = elementTypeOf name
            let elementKind = kindOfDeclared elementName Plain
            let elemId, reg2, evs2 = register elementKind elementName reg1
            let folder (acc, r, evs) item =
                let v, r', e = convert elementName elemId Plain item r
                v :: acc, r', evs @ e
            let elems, reg3, evs3 = List.fold folder ([], reg2, []) items
            let kept = List.length items
            let elems, reg4, evs4 =
                if total > kept then
                    let rawId, r, e = register TypeKind.Raw "<more>" reg3
                    Raw(sprintf "…<%d more>" (total - kept), rawId) :: elems, r, e
                else elems, reg3, []
            Sequence(List.rev elems, false, id), reg4, evs1 @ evs2 @ evs3 @ evs4

    /// The element type's display name of `T[]` or `List<T>` (`?` when unknown).
    and elementTypeOf (sequenceName: string) : string =
        if sequenceName.EndsWith("[]", StringComparison.Ordinal) then sequenceName.Substring(0, sequenceName.Length - 2)
        else
            let lt = sequenceName.IndexOf '<'
            if lt > 0 && sequenceName.EndsWith(">", StringComparison.Ordinal) then sequenceName.Substring(lt + 1, sequenceName.Length - lt - 2)
            else "?"
