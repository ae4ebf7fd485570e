namespace CodeTracer.Core.Trace

open System.Runtime.CompilerServices

/// The encodings of composite values (sequences, structs, tuples, variants) an encoder has
/// written, by the value object's identity. The conversion re-emits a value that did not
/// change as the same object, so an encoder copies its bytes instead of encoding it again.
/// Direct-mapped (a newer value takes an older one's slot), so memory stays bounded; an
/// encoding is kept only when its value is seen a second time, since most values are shown
/// once. Not thread-safe: one per encoder.
[<Sealed>]
type EncodedValues<'T when 'T: null>(slots: int) =
    let mask = slots - 1
    do if slots <= 0 || slots &&& mask <> 0 then invalidArg (nameof slots) "a power of two"
    let keys: ValueRecord array = Array.zeroCreate slots
    let encodings: 'T array = Array.zeroCreate slots

    /// Values worth caching: those whose encoding costs more than a lookup.
    static member IsComposite(v: ValueRecord) =
        match v with
        | Sequence _ | Tuple _ | Struct _ | Variant _ -> true
        | _ -> false

    /// The encoding kept for `v`, or null; `seen` says whether `v` was met before (then the
    /// caller should `Keep` its encoding).
    member _.Find(v: ValueRecord, seen: byref<bool>) : 'T =
        let i = RuntimeHelpers.GetHashCode v &&& mask
        if obj.ReferenceEquals(keys.[i], v) then
            seen <- true
            encodings.[i]
        else
            // First sight: remember the value only.
            keys.[i] <- v
            encodings.[i] <- null
            seen <- false
            null

    /// Keeps the encoding of a value `Find` had seen before.
    member _.Keep(v: ValueRecord, encoding: 'T) =
        let i = RuntimeHelpers.GetHashCode v &&& mask
        if obj.ReferenceEquals(keys.[i], v) then encodings.[i] <- encoding
