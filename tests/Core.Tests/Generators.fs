namespace CodeTracer.Core.Tests

open System
open FsCheck
open FsCheck.FSharp
open Expecto
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// One call of a generated run: the manifest method, the raw values of its
/// arguments and its raw return value (None for a void method or an unwound call).
type GeneratedCall =
    { Method: int
      Args: RawValue list
      Result: RawValue option
      /// `Type: message` of the exception that unwound the call, if one did.
      Unwound: string option }

/// A generated program: a manifest and one thread's well-nested execution of it.
type GeneratedRun =
    { Manifest: Manifest
      /// The thread's raw records, in log order.
      Records: RawRecord list
      /// Every call, in Enter order.
      Calls: GeneratedCall list }

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

    // ---- raw records (Probes/RawRecord.fs) ---------------------------------------

    /// Runtime type names: a few that repeat (so TypeDefs get reused), sometimes odd text.
    let runtimeTypeName : Gen<string> =
        Gen.frequency
            [ 6,
              Gen.elements
                  [ "System.Int32"; "System.Decimal"; "System.Int32[]"; "Demo.Color"; "Demo.Shop.Cart"
                    "System.Collections.Generic.List`1[[System.String, System.Private.CoreLib]]" ]
              1, text ]

    /// Every UTF-16 code unit, lone surrogates included.
    let anyChar : Gen<char> = Gen.choose (0, 0xFFFF) |> Gen.map char

    /// Valid decimals: any 96-bit magnitude, scale 0..28, either sign.
    let decimalValue : Gen<decimal> =
        gen {
            let! lo = anyInt
            let! mid = anyInt
            let! hi = Gen.oneof [ Gen.constant 0; anyInt ]
            let! negative = anyBool
            let! scale = Gen.choose (0, 28)
            return Decimal(lo, mid, hi, negative, byte scale)
        }

    /// A string as the runtime writes it: the kept text and the full length (longer when cut).
    let rawString : Gen<RawValue> =
        gen {
            let! t = text
            let! more = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (1, 5000) ]
            return RString(t, t.Length + more)
        }

    /// The primitives a Boxed record wraps (ObjectWriter.WritePrimitive).
    let rawPrimitive : Gen<RawValue> =
        Gen.oneof
            [ anyInt64 |> Gen.map RInt
              bits64 |> Gen.map (uint64 >> RUInt)
              doubleBits |> Gen.map RDouble
              singleBits |> Gen.map RSingle
              anyBool |> Gen.map RBool
              anyChar |> Gen.map RChar
              decimalValue |> Gen.map RDecimal ]

    let private rawLeaf : Gen<RawValue> =
        Gen.frequency
            [ 6, rawPrimitive
              1, Gen.constant RNull
              2, rawString
              1, runtimeTypeName |> Gen.map RRawObject
              1, Gen.map3 (fun n b s -> REnum(n, b, s)) runtimeTypeName anyInt64 text
              1, Gen.map2 (fun n v -> RBoxed(n, v)) runtimeTypeName rawPrimitive
              1,
              Gen.map3
                  (fun n neg (bytes: byte list) -> RBigInt(n, neg, Convert.ToBase64String(List.toArray bytes)))
                  runtimeTypeName
                  anyBool
                  (Gen.listOf (Gen.choose (0, 255) |> Gen.map byte))
              1, Gen.map2 (fun n t -> RRawText(n, t)) runtimeTypeName (Gen.elements [ "<cycle>"; "<depth limit>" ])
              1, Gen.elements [ RRedacted; RDropped ] ]

    let rec private rawValueOfSize (size: int) : Gen<RawValue> =
        if size <= 1 then rawLeaf
        else
            let inner = Gen.delay (fun () -> rawValueOfSize (size / 2))
            Gen.frequency
                [ 3, rawLeaf
                  1,
                  gen {
                      let! name = runtimeTypeName
                      let! items = smallListOf inner
                      let! more = Gen.frequency [ 3, Gen.constant 0; 1, Gen.choose (1, 1000) ]
                      return RSequence(name, items.Length + more, items)
                  }
                  1,
                  gen {
                      // The runtime gives one type one field list: the name carries the count.
                      let! name = runtimeTypeName
                      let! values = smallListOf inner
                      return RStruct(sprintf "%s.S%d" name values.Length, values |> List.mapi (fun i v -> sprintf "f%d" i, v))
                  }
                  1, Gen.map2 (fun n items -> RTuple(n, items)) runtimeTypeName (smallListOf inner)
                  1, Gen.map3 (fun n c items -> RVariant(n, c, items)) runtimeTypeName text (smallListOf inner) ]

    /// Raw values of every case, sequences nested (`Gen.sized`, halving the size per level).
    let rawValue : Gen<RawValue> = Gen.sized rawValueOfSize

    /// Records of every kind (TypeDefs are the encoder's business).
    let rawRecord : Gen<RawRecord> =
        Gen.frequency
            [ 2, anyInt |> Gen.map REnter
              3, anyInt |> Gen.map RStep
              1, Gen.constant RReturn
              1, Gen.map2 (fun s t -> RWrite(s, t)) (Gen.elements [ 0uy; 2uy ]) text
              1, Gen.map2 (fun s t -> RUnwind(s, t)) anyInt text
              2, Gen.choose (0, 65535) |> Gen.map RAt
              6, rawValue |> Gen.map RValue ]

    /// Up to `size` records.
    let rawRecords : Gen<RawRecord list> =
        Gen.sized (fun size ->
            gen {
                let! n = Gen.choose (0, size)
                return! Gen.sequenceToList (List.replicate n rawRecord)
            })

    // ---- manifests and executions (Trace/Conversion.fs) -------------------------

    /// A read slot kept at `frame` of its frame's memory.
    let private slotAt (frame: int) (name: string) (typeName: string) : VariableSlot =
        { Name = name; TypeName = typeName; Shape = Plain; Capture = Read; Frame = frame }

    /// A raw value the runtime writes for a variable of declared type `int`, `bool` or `string`.
    let rawOfDeclared (typeName: string) : Gen<RawValue> =
        match typeName with
        | "int" -> anyInt |> Gen.map (int64 >> RInt)
        | "bool" -> anyBool |> Gen.map RBool
        | _ -> Gen.frequency [ 5, rawString; 1, Gen.constant RNull ]

    /// 1-2 paths; 1-6 methods with 0-3 int/string/bool args, void or int; 1-5 sites per
    /// method on increasing lines (the method's line is its first site's), each showing
    /// some of the args and a local.
    let manifest : Gen<Manifest> =
        gen {
            let! pathCount = Gen.choose (1, 2)
            let paths = Array.init pathCount (sprintf "/home/user/demo/src/File%d.cs")
            let! methodCount = Gen.choose (1, 6)
            let methodGen (m: int) =
                gen {
                    let! pathId = Gen.choose (0, pathCount - 1)
                    let! argCount = Gen.choose (0, 3)
                    let! argTypes = Gen.sequenceToList (List.replicate argCount (Gen.elements [ "int"; "string"; "bool" ]))
                    let args = argTypes |> List.mapi (fun j t -> slotAt j (sprintf "a%d" j) t) |> Array.ofList
                    let! localName = Gen.elements [ "x"; "total"; "name" ]
                    let! localType = Gen.elements [ "int"; "string"; "bool" ]
                    let! isVoid = anyBool
                    let! firstLine = Gen.choose (1, 300)
                    let! siteCount = Gen.choose (1, 5)
                    let! gaps = Gen.sequenceToList (List.replicate (siteCount - 1) (Gen.choose (1, 4)))
                    let lines = List.scan (+) firstLine gaps
                    let! shown =
                        Gen.sequenceToList (List.replicate siteCount (Gen.sequenceToArray (Array.replicate args.Length anyBool)))
                    let sites =
                        List.map2
                            (fun line (keep: bool array) ->
                                { MethodId = m
                                  PathId = pathId
                                  Line = line
                                  Variables =
                                    Array.append
                                        (Array.zip args keep |> Array.filter snd |> Array.map fst)
                                        [| slotAt args.Length localName localType |] })
                            lines
                            shown
                    let meth =
                        { Name = sprintf "Demo.Program.M%d(%s)" m (String.concat ", " argTypes)
                          PathId = pathId
                          Line = firstLine
                          Args = args
                          Return = if isVoid then Manifest.voidReturn else slotAt -1 "<return_value>" "int"
                          IsVoid = isVoid }
                    return meth, sites
                }
            let! methods = Gen.sequenceToList (List.init methodCount methodGen)
            return
                { Paths = paths
                  Methods = methods |> List.map fst |> Array.ofList
                  Sites = methods |> List.collect snd |> Array.ofList }
        }

    /// The site ids of each manifest method, in site order.
    let sitesByMethod (manifest: Manifest) : int list array =
        Array.init manifest.Methods.Length (fun m ->
            [ for s in 0 .. manifest.Sites.Length - 1 do
                  if manifest.Sites.[s].MethodId = m then yield s ])

    let private nonEmptyText : Gen<string> =
        Gen.map2 (+) (Gen.elements [ "a"; "\n"; "é"; "\"" ]) text

    /// What an exception's `Type: message` looks like (sometimes without a type).
    let exceptionText : Gen<string> =
        Gen.frequency
            [ 3,
              Gen.elements
                  [ "System.InvalidOperationException: boom"; "System.ArgumentException: bad code 7 (Parameter 'code')"
                    "Demo.ShopException`1[[System.Int32, System.Private.CoreLib]]: out of stock: 3" ]
              1, Gen.map2 (fun t m -> t + ": " + m) (Gen.elements [ "System.Exception"; "Demo.Fault" ]) text
              1, text ]

    let private stepAt (manifest: Manifest) (s: int) : Gen<RawRecord list> =
        gen {
            let! values = Gen.sequenceToList [ for v in manifest.Sites.[s].Variables -> rawOfDeclared v.TypeName ]
            return (values |> List.mapi (fun i v -> [ RAt i; RValue v ]) |> List.concat) @ [ RStep s ]
        }

    /// 0-2 steps of method `m` (a finally block's, or an exception filter's).
    let private someSteps (manifest: Manifest) (sites: int list array) (m: int) : Gen<RawRecord list> =
        gen {
            let! n = Gen.choose (0, 2)
            let! steps = Gen.sequenceToList (List.replicate n (Gen.elements sites.[m] |> Gen.bind (stepAt manifest)))
            return List.concat steps
        }

    /// The records of one call of method `m` and of the calls nested in it
    /// (nesting halves the size), the calls in Enter order, and the next free throw
    /// serial (`serial` is the first; every throw takes the next, as in the runtime).
    let rec private callRecords (manifest: Manifest) (sites: int list array) (m: int) (size: int) (serial: int) : Gen<RawRecord list * GeneratedCall list * int> =
        gen {
            let meth = manifest.Methods.[m]
            let! args = Gen.sequenceToList [ for a in meth.Args -> rawOfDeclared a.TypeName ]
            let! entryStep = stepAt manifest (List.head sites.[m])
            let! count = Gen.choose (0, min 6 size)
            let! body, calls, serial = bodyOf manifest sites m size count serial
            let! result = if meth.IsVoid then Gen.constant None else anyInt |> Gen.map (int64 >> RInt >> Some)
            let records =
                [ yield REnter m
                  yield! List.map RValue args
                  yield! entryStep
                  yield! body
                  yield RReturn
                  match result with
                  | Some v -> yield RValue v
                  | None -> () ]
            return records, { Method = m; Args = args; Result = result; Unwound = None } :: calls, serial
        }

    /// `count` things method `m` does: steps, output, calls, and calls that throw an
    /// exception which `m` catches (its handler's step follows).
    and private bodyOf (manifest: Manifest) (sites: int list array) (m: int) (size: int) (count: int) (serial: int) : Gen<RawRecord list * GeneratedCall list * int> =
        gen {
            if count <= 0 then return [], [], serial
            else
                let pick = Gen.choose (0, manifest.Methods.Length - 1)
                let items =
                    [ yield 4, Gen.elements sites.[m] |> Gen.bind (stepAt manifest) |> Gen.map (fun r -> r, [], serial)
                      yield 1, Gen.map2 (fun s t -> [ RWrite(s, t) ], [], serial) (Gen.elements [ 0uy; 2uy ]) nonEmptyText
                      if size > 1 then
                          yield 2, pick |> Gen.bind (fun c -> callRecords manifest sites c (size / 2) serial)
                          yield 1,
                                gen {
                                    let! c = pick
                                    let! depth = Gen.choose (1, 3)
                                    let! records, calls, _, _, serial = throwingCall manifest sites m c (size / 2) depth serial
                                    let! handler = Gen.elements sites.[m] |> Gen.bind (stepAt manifest)
                                    return records @ handler, calls, serial
                                } ]
                let! records, calls, serial = Gen.frequency items
                let! rest, restCalls, serial = bodyOf manifest sites m size (count - 1) serial
                return records @ rest, calls @ restCalls, serial
        }

    /// A call of method `m` that an exception leaves: `depth` frames (this one the
    /// outermost) unwind, each after its own finally steps, with the steps of the
    /// catcher's filter between the throw and the first unwind. Also gives the throw's
    /// serial and text.
    and private throwingCall manifest sites (catcher: int) (m: int) (size: int) (depth: int) (serial: int)
        : Gen<RawRecord list * GeneratedCall list * int * string * int> =
        gen {
            let meth: MethodEntry = manifest.Methods.[m]
            let! args = Gen.sequenceToList [ for a in meth.Args -> rawOfDeclared a.TypeName ]
            let! entryStep = stepAt manifest (List.head sites.[m])
            let! count = Gen.choose (0, min 3 size)
            let! body, calls, serial = bodyOf manifest sites m size count serial
            let! inner, innerCalls, thrown, text, serial =
                if depth <= 1 then
                    gen {
                        let! throwLine = Gen.elements sites.[m] |> Gen.bind (stepAt manifest)
                        let! filter = someSteps manifest sites catcher
                        let! text = exceptionText
                        return throwLine @ filter, [], serial, text, serial + 1
                    }
                else
                    Gen.choose (0, manifest.Methods.Length - 1)
                    |> Gen.bind (fun c -> throwingCall manifest sites catcher c (size / 2) (depth - 1) serial)
            let! cleanup = someSteps manifest sites m
            let records =
                [ yield REnter m
                  yield! List.map RValue args
                  yield! entryStep
                  yield! body
                  yield! inner
                  yield! cleanup
                  yield RUnwind(thrown, text) ]
            return records, ({ Method = m; Args = args; Result = None; Unwound = Some text } :: calls) @ innerCalls, thrown, text, serial
        }

    /// A well-nested execution of 1-2 top calls of a given manifest on one thread
    /// (exceptions included, each caught by a frame of the run).
    let runOf (manifest: Manifest) : Gen<GeneratedRun> =
        Gen.sized (fun size ->
            gen {
                let sites = sitesByMethod manifest
                let! topCount = Gen.choose (1, 2)
                let top serial = Gen.choose (0, manifest.Methods.Length - 1) |> Gen.bind (fun m -> callRecords manifest sites m (min size 32) serial)
                let! first, firstCalls, serial = top 1
                let! second, secondCalls, _ = if topCount = 2 then top serial else Gen.constant ([], [], serial)
                return
                    { Manifest = manifest
                      Records = first @ second
                      Calls = firstCalls @ secondCalls }
            })

    /// A random manifest and a well-nested execution of 1-2 top calls on one thread
    /// (exceptions included, each caught by a frame of the run).
    let run : Gen<GeneratedRun> = manifest |> Gen.bind runOf

/// What the encoders write for generated events: every string sanitized (lone surrogates → U+FFFD).
[<RequireQualifiedAccess>]
module Sanitized =
    /// A value with its strings sanitized.
    let rec value (v: ValueRecord) : ValueRecord =
        let s = JsonText.sanitize
        match v with
        | BigInt(b, n, t) -> BigInt(s b, n, t)
        | Float(f, t) -> Float(s f, t)
        | ValueRecord.String(x, t) -> ValueRecord.String(s x, t)
        | ValueRecord.Char(c, t) -> ValueRecord.Char(s c, t)
        | Sequence(es, sl, t) -> Sequence(List.map value es, sl, t)
        | ValueRecord.Tuple(es, t) -> ValueRecord.Tuple(List.map value es, t)
        | Struct(es, t) -> Struct(List.map value es, t)
        | Variant(d, c, t) -> Variant(s d, value c, t)
        | Raw(r, t) -> Raw(s r, t)
        | ValueRecord.Error(m, t) -> ValueRecord.Error(s m, t)
        | other -> other

    /// An event with its strings sanitized.
    let event (e: TraceEvent) : TraceEvent =
        let s = JsonText.sanitize
        match e with
        | Path p -> Path(s p)
        | Function(p, l, n) -> Function(p, l, s n)
        | TraceEvent.Type(k, l, StructInfo fs) -> TraceEvent.Type(k, s l, StructInfo(fs |> List.map (fun (n, t) -> s n, t)))
        | TraceEvent.Type(k, l, info) -> TraceEvent.Type(k, s l, info)
        | VariableName n -> VariableName(s n)
        | Call(f, args) -> Call(f, args |> List.map (fun (v, x) -> v, value x))
        | Value(v, x) -> Value(v, value x)
        | Return x -> Return(value x)
        | IoEvent(k, m, c) -> IoEvent(k, s m, s c)
        | other -> other

/// The arbitraries of the Core tests, registered through `Generators.config`.
type Generators =
    /// Strings with quotes, control characters, non-ASCII and lone surrogates.
    static member String() : Arbitrary<string> = Arb.fromGen Gens.text

    /// Recursive values of every case.
    static member ValueRecord() : Arbitrary<ValueRecord> = Arb.fromGen Gens.value

    /// Events of every case.
    static member TraceEvent() : Arbitrary<TraceEvent> = Arb.fromGen Gens.event

    /// Raw values of every case, as the runtime writes them.
    static member RawValue() : Arbitrary<RawValue> = Arb.fromGen Gens.rawValue

    /// Raw records of every kind.
    static member RawRecord() : Arbitrary<RawRecord> = Arb.fromGen Gens.rawRecord

    /// A manifest and a well-nested one-thread execution of it.
    static member GeneratedRun() : Arbitrary<GeneratedRun> = Arb.fromGen Gens.run

/// The FsCheck configuration that uses the `Generators` type.
[<RequireQualifiedAccess>]
module Generators =

    /// Expecto FsCheck config with the `Generators` arbitraries and 200 tests per property.
    let config =
        { FsCheckConfig.defaultConfig with
            arbitrary = [ typeof<Generators> ]
            maxTest = 200 }
