namespace CodeTracer.Core.Tests

open System
open FsCheck
open FsCheck.FSharp
open Expecto
open CodeTracer.Core.Trace

/// Raw generators behind the `Generators` arbitraries (also sampled directly by tests).
[<RequireQualifiedAccess>]
module Gens =

    let private ofChars (chars: char seq) : Gen<string> =
        Gen.elements (chars |> Seq.map string |> List.ofSeq)

    let private charRange (lo: int) (hi: int) : Gen<string> =
        Gen.choose (lo, hi) |> Gen.map (fun c -> string (char c))

    /// One piece of text: mostly plain ASCII, often something JSON or UTF-8 must handle.
    let private textPiece : Gen<string> =
        Gen.frequency
            [ 8, ofChars (Seq.concat [ [ 'a' .. 'z' ]; [ 'A' .. 'Z' ]; [ '0' .. '9' ]; [ ' '; '.'; '/'; '<'; '>' ] ])
              2, ofChars [ '"'; '\\'; '/'; '\'' ]
              2, charRange 0 31
              1, ofChars [ '\u007f'; '\u0085'; '\u2028'; '\u2029' ]
              2, ofChars [ 'é'; 'ß'; 'Ω'; '中'; '\u00a0'; '\uFEFF'; '\uFFFD'; '\uFFFF' ]
              1, Gen.elements [ "\U0001F600"; "\U00010000"; "\U0010FFFF" ] // valid surrogate pairs
              1, charRange 0xD800 0xDBFF // lone high surrogate (unless a low one follows)
              1, charRange 0xDC00 0xDFFF ] // lone low surrogate

    /// Strings with quotes, backslashes, control characters, non-ASCII and lone surrogates.
    let text : Gen<string> =
        Gen.sized (fun size ->
            gen {
                let! n = Gen.choose (0, max 0 (min size 24))
                let! pieces = Gen.sequenceToList (List.replicate n textPiece)
                return String.Concat pieces
            })

    /// Any int, with the edges often.
    let anyInt : Gen<int> =
        Gen.frequency
            [ 3, Gen.choose (0, 100)
              1, Gen.elements [ 0; 1; -1; 9; 10; Int32.MaxValue; Int32.MinValue ]
              1, Gen.choose (Int32.MinValue, Int32.MaxValue) ]

    /// Eight random bytes, as a uniformly spread int64 (all bit patterns).
    let bits64 : Gen<int64> =
        Gen.sequenceToArray (Array.replicate 8 (Gen.choose (0, 255) |> Gen.map byte))
        |> Gen.map (fun bytes -> BitConverter.ToInt64(bytes, 0))

    /// Any int64, with the edges often.
    let anyInt64 : Gen<int64> =
        Gen.frequency
            [ 3, Gen.choose (-1000, 1000) |> Gen.map int64
              1, Gen.elements [ 0L; -1L; 9L; 10L; Int64.MaxValue; Int64.MinValue; 1L <<< 53 ]
              2, bits64 ]

    /// Every double bit pattern, uniformly over the bits (NaN payloads, subnormals, ...).
    let doubleBits : Gen<double> = bits64 |> Gen.map BitConverter.Int64BitsToDouble

    /// Every float32 bit pattern, uniformly over the bits.
    let singleBits : Gen<float32> =
        bits64 |> Gen.map (fun b -> BitConverter.Int32BitsToSingle(int32 b))

    let private anyBool : Gen<bool> = Gen.elements [ true; false ]

    let private typeId : Gen<int> = anyInt

    let private floatText : Gen<string> =
        Gen.oneof [ doubleBits |> Gen.map Json.formatDouble; text ]

    let private base64 : Gen<string> =
        Gen.choose (0, 12)
        |> Gen.bind (fun n -> Gen.sequenceToArray (Array.replicate n (Gen.choose (0, 255) |> Gen.map byte)))
        |> Gen.map Convert.ToBase64String

    let private leaf : Gen<ValueRecord> =
        Gen.oneof
            [ Gen.map2 (fun i t -> ValueRecord.Int(i, t)) anyInt64 typeId
              Gen.map3 (fun b n t -> ValueRecord.BigInt(b, n, t)) (Gen.oneof [ base64; text ]) anyBool typeId
              Gen.map2 (fun f t -> ValueRecord.Float(f, t)) floatText typeId
              Gen.map2 (fun b t -> ValueRecord.Bool(b, t)) anyBool typeId
              Gen.map2 (fun s t -> ValueRecord.String(s, t)) text typeId
              Gen.map2 (fun c t -> ValueRecord.Char(c, t)) (Gen.oneof [ textPiece; text ]) typeId
              Gen.map2 (fun r t -> ValueRecord.Raw(r, t)) text typeId
              Gen.map2 (fun m t -> ValueRecord.Error(m, t)) text typeId
              Gen.map ValueRecord.NoneValue typeId ]

    let private smallListOf (g: Gen<'T>) : Gen<'T list> =
        Gen.choose (0, 4) |> Gen.bind (fun n -> Gen.sequenceToList (List.replicate n g))

    /// Values nested up to the size; the size halves at each level.
    let rec private valueOfSize (size: int) : Gen<ValueRecord> =
        if size <= 1 then leaf
        else
            let inner = Gen.delay (fun () -> valueOfSize (size / 2))
            Gen.frequency
                [ 3, leaf
                  1, Gen.map3 (fun es s t -> ValueRecord.Sequence(es, s, t)) (smallListOf inner) anyBool typeId
                  1, Gen.map2 (fun es t -> ValueRecord.Tuple(es, t)) (smallListOf inner) typeId
                  1, Gen.map2 (fun es t -> ValueRecord.Struct(es, t)) (smallListOf inner) typeId
                  1, Gen.map3 (fun d c t -> ValueRecord.Variant(d, c, t)) text inner typeId ]

    /// Recursive values (`Gen.sized`, halving the size per level).
    let value : Gen<ValueRecord> = Gen.sized valueOfSize

    let private specificInfo : Gen<TypeSpecificInfo> =
        Gen.oneof
            [ Gen.constant NoInfo
              smallListOf (Gen.zip text typeId) |> Gen.map StructInfo
              typeId |> Gen.map PointerInfo ]

    /// Every TraceEvent case, with values from `value`.
    let event : Gen<TraceEvent> =
        Gen.oneof
            [ text |> Gen.map TraceEvent.Path
              Gen.map3 (fun p l n -> TraceEvent.Function(p, l, n)) anyInt anyInt text
              Gen.map3 (fun k l s -> TraceEvent.Type(k, l, s)) anyInt text specificInfo
              text |> Gen.map TraceEvent.VariableName
              Gen.map2 (fun f a -> TraceEvent.Call(f, a)) anyInt (smallListOf (Gen.zip anyInt value))
              Gen.map2 (fun p l -> TraceEvent.Step(p, l)) anyInt anyInt
              Gen.map2 (fun v x -> TraceEvent.Value(v, x)) anyInt value
              value |> Gen.map TraceEvent.Return
              Gen.map3 (fun k m c -> TraceEvent.IoEvent(k, m, c)) anyInt text text
              anyInt64 |> Gen.map TraceEvent.ThreadStart
              anyInt64 |> Gen.map TraceEvent.ThreadSwitch
              anyInt64 |> Gen.map TraceEvent.ThreadExit
              Gen.constant TraceEvent.DropLastStep ]

/// The arbitraries of the Core tests, registered through `Generators.config`.
type Generators =
    /// Strings with quotes, control characters, non-ASCII and lone surrogates.
    static member String() : Arbitrary<string> = Arb.fromGen Gens.text

    /// Recursive values of every case.
    static member ValueRecord() : Arbitrary<ValueRecord> = Arb.fromGen Gens.value

    /// Events of every case.
    static member TraceEvent() : Arbitrary<TraceEvent> = Arb.fromGen Gens.event

/// The FsCheck configuration that uses the `Generators` type.
[<RequireQualifiedAccess>]
module Generators =

    /// Expecto FsCheck config with the `Generators` arbitraries and 200 tests per property.
    let config =
        { FsCheckConfig.defaultConfig with
            arbitrary = [ typeof<Generators> ]
            maxTest = 200 }
