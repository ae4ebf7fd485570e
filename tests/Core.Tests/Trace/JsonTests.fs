module CodeTracer.Core.Tests.JsonTests

open System
open System.Globalization
open System.Text
open System.Text.Json
open Microsoft.FSharp.Reflection
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Trace

// ---------------------------------------------------------------------------
// Test-side decoder: JsonElement back to the model, strict about key names and order.

let private keysOf (el: JsonElement) : string list =
    [ for p in el.EnumerateObject() -> p.Name ]

let private expectObject (keys: string list) (el: JsonElement) : unit =
    if el.ValueKind <> JsonValueKind.Object then failwithf "expected an object, got %O" el.ValueKind
    let actual = keysOf el
    if actual <> keys then failwithf "expected keys %A, got %A" keys actual

let private getString (el: JsonElement) : string =
    if el.ValueKind <> JsonValueKind.String then failwithf "expected a string, got %O" el.ValueKind
    match el.GetString() with
    | null -> failwith "null string"
    | s -> s

let private str (name: string) (el: JsonElement) = getString (el.GetProperty name)
let private i32 (name: string) (el: JsonElement) = el.GetProperty(name).GetInt32()
let private i64 (name: string) (el: JsonElement) = el.GetProperty(name).GetInt64()
let private boolean (name: string) (el: JsonElement) = el.GetProperty(name).GetBoolean()

let private arrayOf (f: JsonElement -> 'T) (el: JsonElement) : 'T list =
    if el.ValueKind <> JsonValueKind.Array then failwithf "expected an array, got %O" el.ValueKind
    [ for x in el.EnumerateArray() -> f x ]

let rec private decodeValue (el: JsonElement) : ValueRecord =
    let t () = i32 "type_id" el
    match str "kind" el with
    | "Int" ->
        expectObject [ "kind"; "i"; "type_id" ] el
        ValueRecord.Int(i64 "i" el, t ())
    | "BigInt" ->
        expectObject [ "kind"; "b"; "negative"; "type_id" ] el
        ValueRecord.BigInt(str "b" el, boolean "negative" el, t ())
    | "Float" ->
        expectObject [ "kind"; "f"; "type_id" ] el
        ValueRecord.Float(str "f" el, t ())
    | "Bool" ->
        expectObject [ "kind"; "b"; "type_id" ] el
        ValueRecord.Bool(boolean "b" el, t ())
    | "String" ->
        expectObject [ "kind"; "text"; "type_id" ] el
        ValueRecord.String(str "text" el, t ())
    | "Char" ->
        expectObject [ "kind"; "c"; "type_id" ] el
        ValueRecord.Char(str "c" el, t ())
    | "Sequence" ->
        expectObject [ "kind"; "elements"; "is_slice"; "type_id" ] el
        ValueRecord.Sequence(arrayOf decodeValue (el.GetProperty "elements"), boolean "is_slice" el, t ())
    | "Tuple" ->
        expectObject [ "kind"; "elements"; "type_id" ] el
        ValueRecord.Tuple(arrayOf decodeValue (el.GetProperty "elements"), t ())
    | "Struct" ->
        expectObject [ "kind"; "field_values"; "type_id" ] el
        ValueRecord.Struct(arrayOf decodeValue (el.GetProperty "field_values"), t ())
    | "Variant" ->
        expectObject [ "kind"; "discriminator"; "contents"; "type_id" ] el
        ValueRecord.Variant(str "discriminator" el, decodeValue (el.GetProperty "contents"), t ())
    | "Raw" ->
        expectObject [ "kind"; "r"; "type_id" ] el
        ValueRecord.Raw(str "r" el, t ())
    | "Error" ->
        expectObject [ "kind"; "msg"; "type_id" ] el
        ValueRecord.Error(str "msg" el, t ())
    | "None" ->
        expectObject [ "kind"; "type_id" ] el
        ValueRecord.NoneValue(t ())
    | other -> failwithf "unknown value kind %s" other

let private decodeSpecificInfo (el: JsonElement) : TypeSpecificInfo =
    match str "kind" el with
    | "None" ->
        expectObject [ "kind" ] el
        NoInfo
    | "Struct" ->
        expectObject [ "kind"; "fields" ] el
        let field (f: JsonElement) =
            expectObject [ "name"; "type_id" ] f
            str "name" f, i32 "type_id" f
        StructInfo(arrayOf field (el.GetProperty "fields"))
    | "Pointer" ->
        expectObject [ "kind"; "dereference_type_id" ] el
        PointerInfo(i32 "dereference_type_id" el)
    | other -> failwithf "unknown specific_info kind %s" other

let private decodeEvent (el: JsonElement) : TraceEvent =
    if el.ValueKind = JsonValueKind.String then
        match getString el with
        | "DropLastStep" -> DropLastStep
        | other -> failwithf "unknown bare event %s" other
    else
        let name =
            match keysOf el with
            | [ name ] -> name
            | keys -> failwithf "an event has exactly one key, got %A" keys
        let b = el.GetProperty name
        match name with
        | "Path" -> Path(getString b)
        | "Function" ->
            expectObject [ "path_id"; "line"; "name" ] b
            Function(i32 "path_id" b, i32 "line" b, str "name" b)
        | "Type" ->
            expectObject [ "kind"; "lang_type"; "specific_info" ] b
            Type(i32 "kind" b, str "lang_type" b, decodeSpecificInfo (b.GetProperty "specific_info"))
        | "VariableName" -> VariableName(getString b)
        | "Call" ->
            expectObject [ "function_id"; "args" ] b
            let arg (a: JsonElement) =
                expectObject [ "variable_id"; "value" ] a
                i32 "variable_id" a, decodeValue (a.GetProperty "value")
            Call(i32 "function_id" b, arrayOf arg (b.GetProperty "args"))
        | "Step" ->
            expectObject [ "path_id"; "line" ] b
            Step(i32 "path_id" b, i32 "line" b)
        | "Value" ->
            expectObject [ "variable_id"; "value" ] b
            Value(i32 "variable_id" b, decodeValue (b.GetProperty "value"))
        | "Return" ->
            expectObject [ "return_value" ] b
            Return(decodeValue (b.GetProperty "return_value"))
        | "Event" ->
            expectObject [ "kind"; "metadata"; "content" ] b
            IoEvent(i32 "kind" b, str "metadata" b, str "content" b)
        | "ThreadStart" -> ThreadStart(b.GetInt64())
        | "ThreadSwitch" -> ThreadSwitch(b.GetInt64())
        | "ThreadExit" -> ThreadExit(b.GetInt64())
        | other -> failwithf "unknown event %s" other

let private parse (text: string) (decode: JsonElement -> 'T) : 'T =
    use doc = JsonDocument.Parse text
    decode doc.RootElement

/// Independent oracle for `sanitize`: the BCL's UTF-8 encoder replaces each lone surrogate
/// by U+FFFD.
let private utf8RoundTrip (s: string) : string = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes s)

let private strictUtf8 = UTF8Encoding(false, true)

let private isValidUtf16 (s: string) : bool =
    try
        strictUtf8.GetByteCount s |> ignore
        true
    with :? EncoderFallbackException ->
        false

let private hasLoneSurrogate (s: string) = not (isValidUtf16 s)

let private withCulture (culture: CultureInfo) (f: unit -> 'T) : 'T =
    let saved = CultureInfo.CurrentCulture
    CultureInfo.CurrentCulture <- culture
    try
        f ()
    finally
        CultureInfo.CurrentCulture <- saved

/// A culture that would show up any culture-dependent number formatting.
let private oddCulture =
    let c = CultureInfo.InvariantCulture.Clone() :?> CultureInfo
    c.NumberFormat.NegativeSign <- "~"
    c.NumberFormat.NumberDecimalSeparator <- ","
    c.NumberFormat.NaNSymbol <- "nan?"
    c.NumberFormat.PositiveInfinitySymbol <- "inf?"
    c.NumberFormat.NegativeInfinitySymbol <- "~inf?"
    c

let private config = Generators.config

let private valueCase (v: ValueRecord) =
    match v with
    | ValueRecord.Int _ -> "Int"
    | ValueRecord.BigInt _ -> "BigInt"
    | ValueRecord.Float _ -> "Float"
    | ValueRecord.Bool _ -> "Bool"
    | ValueRecord.String _ -> "String"
    | ValueRecord.Char _ -> "Char"
    | ValueRecord.Sequence _ -> "Sequence"
    | ValueRecord.Tuple _ -> "Tuple"
    | ValueRecord.Struct _ -> "Struct"
    | ValueRecord.Variant _ -> "Variant"
    | ValueRecord.Raw _ -> "Raw"
    | ValueRecord.Error _ -> "Error"
    | ValueRecord.NoneValue _ -> "None"

let rec private depth (v: ValueRecord) =
    match v with
    | ValueRecord.Sequence(es, _, _)
    | ValueRecord.Tuple(es, _)
    | ValueRecord.Struct(es, _) -> 1 + (es |> List.map depth |> List.fold max 0)
    | ValueRecord.Variant(_, c, _) -> 1 + depth c
    | _ -> 0

let private exampleTests =
    testList
        "examples"
        [ test "Step" {
              Expect.equal (Json.encodeEvent (Step(0, 14))) """{"Step":{"path_id":0,"line":14}}""" "Step"
          }
          test "Call with args" {
              Expect.equal
                  (Json.encodeEvent (Call(1, [ 0, ValueRecord.Int(2L, 1) ])))
                  """{"Call":{"function_id":1,"args":[{"variable_id":0,"value":{"kind":"Int","i":2,"type_id":1}}]}}"""
                  "Call"
              Expect.equal (Json.encodeEvent (Call(0, []))) """{"Call":{"function_id":0,"args":[]}}""" "no args"
          }
          test "Type" {
              Expect.equal
                  (Json.encodeEvent (Type(TypeKind.Int, "int", NoInfo)))
                  """{"Type":{"kind":7,"lang_type":"int","specific_info":{"kind":"None"}}}"""
                  "Type None"
              Expect.equal
                  (Json.encodeEvent (Type(TypeKind.Struct, "Point", StructInfo [ "X", 3; "Y", 3 ])))
                  """{"Type":{"kind":6,"lang_type":"Point","specific_info":{"kind":"Struct","fields":[{"name":"X","type_id":3},{"name":"Y","type_id":3}]}}}"""
                  "Type Struct"
              Expect.equal
                  (Json.encodeEvent (Type(23, "int*", PointerInfo 3)))
                  """{"Type":{"kind":23,"lang_type":"int*","specific_info":{"kind":"Pointer","dereference_type_id":3}}}"""
                  "Type Pointer"
          }
          test "Float value" {
              Expect.equal
                  (Json.encodeValue (ValueRecord.Float(Json.formatDouble 2.5, 3)))
                  """{"kind":"Float","f":"2.5","type_id":3}"""
                  "Float"
          }
          test "other events" {
              let cases =
                  [ Path "/abs/Program.cs", """{"Path":"/abs/Program.cs"}"""
                    Function(0, 12, "Demo.Program.Sum(int)"),
                    """{"Function":{"path_id":0,"line":12,"name":"Demo.Program.Sum(int)"}}"""
                    VariableName "total", """{"VariableName":"total"}"""
                    Value(2, ValueRecord.Bool(true, 4)), """{"Value":{"variable_id":2,"value":{"kind":"Bool","b":true,"type_id":4}}}"""
                    Return(ValueRecord.NoneValue 0), """{"Return":{"return_value":{"kind":"None","type_id":0}}}"""
                    IoEvent(EventKind.Write, "{\"stream\":\"stdout\"}", "1\n"),
                    """{"Event":{"kind":0,"metadata":"{\"stream\":\"stdout\"}","content":"1\n"}}"""
                    ThreadStart 1L, """{"ThreadStart":1}"""
                    ThreadSwitch 7L, """{"ThreadSwitch":7}"""
                    ThreadExit -3L, """{"ThreadExit":-3}"""
                    DropLastStep, "\"DropLastStep\"" ]
              for e, expected in cases do
                  Expect.equal (Json.encodeEvent e) expected (sprintf "%A" e)
          }
          test "other values" {
              let cases =
                  [ ValueRecord.Int(Int64.MinValue, 2), """{"kind":"Int","i":-9223372036854775808,"type_id":2}"""
                    ValueRecord.Int(Int64.MaxValue, 2), """{"kind":"Int","i":9223372036854775807,"type_id":2}"""
                    ValueRecord.BigInt("AQI=", false, 14), """{"kind":"BigInt","b":"AQI=","negative":false,"type_id":14}"""
                    ValueRecord.String("hi", 5), """{"kind":"String","text":"hi","type_id":5}"""
                    ValueRecord.Char("x", 6), """{"kind":"Char","c":"x","type_id":6}"""
                    ValueRecord.Sequence([ ValueRecord.Int(1L, 2) ], false, 7),
                    """{"kind":"Sequence","elements":[{"kind":"Int","i":1,"type_id":2}],"is_slice":false,"type_id":7}"""
                    ValueRecord.Tuple([], 8), """{"kind":"Tuple","elements":[],"type_id":8}"""
                    ValueRecord.Struct([ ValueRecord.NoneValue 0; ValueRecord.Bool(false, 4) ], 9),
                    """{"kind":"Struct","field_values":[{"kind":"None","type_id":0},{"kind":"Bool","b":false,"type_id":4}],"type_id":9}"""
                    ValueRecord.Variant("Red", ValueRecord.NoneValue 0, 10),
                    """{"kind":"Variant","discriminator":"Red","contents":{"kind":"None","type_id":0},"type_id":10}"""
                    ValueRecord.Raw("<cycle>", 12), """{"kind":"Raw","r":"<cycle>","type_id":12}"""
                    ValueRecord.Error("<redacted>", 13), """{"kind":"Error","msg":"<redacted>","type_id":13}""" ]
              for v, expected in cases do
                  Expect.equal (Json.encodeValue v) expected (sprintf "%A" v)
          }
          test "string escapes" {
              Expect.equal
                  (Json.encodeValue (ValueRecord.String("q\"b\\s/\n\r\t\b\u000c\u0001\u001f\u007fé中\U0001F600", 5)))
                  ("{\"kind\":\"String\",\"text\":\"q\\\"b\\\\s/\\n\\r\\t\\b\\f\\u0001\\u001f\u007fé中\U0001F600\",\"type_id\":5}")
                  "escapes"
              Expect.equal
                  (Json.encodeValue (ValueRecord.Raw("a\uD800b\uDC00\uDC00\uD83D", 1)))
                  "{\"kind\":\"Raw\",\"r\":\"a\uFFFDb\uFFFD\uFFFD\uFFFD\",\"type_id\":1}"
                  "lone surrogates"
          }
          test "sanitize" {
              Expect.equal (JsonText.sanitize "a\uD800b") "a\uFFFDb" "lone high"
              Expect.equal (JsonText.sanitize "\uDC00\uD800") "\uFFFD\uFFFD" "reversed pair"
              Expect.equal (JsonText.sanitize "x\uD83D") "x\uFFFD" "high at end"
              let ok = "ok \U0001F600 é"
              Expect.isTrue (Object.ReferenceEquals(JsonText.sanitize ok, ok)) "no copy without lone surrogates"
              Expect.equal (JsonText.sanitize "") "" "empty"
          }
          test "formatDouble / formatSingle specials" {
              let cases =
                  [ nan, "NaN"; infinity, "Infinity"; -infinity, "-Infinity"; 0.0, "0"; -0.0, "-0"
                    0.1, "0.1"; 2.5, "2.5"; 1e21, "1E+21"; Double.Epsilon, "5E-324" ]
              for d, expected in cases do
                  Expect.equal (Json.formatDouble d) expected (string d)
              Expect.equal (Json.formatSingle 0.1f) "0.1" "0.1f is short"
              Expect.equal (Json.formatSingle nanf) "NaN" "NaN"
              Expect.equal (Json.formatSingle -infinityf) "-Infinity" "-inf"
          }
          test "numbers ignore the current culture" {
              withCulture oddCulture (fun () ->
                  Expect.equal (Json.formatDouble -1.5) "-1.5" "double"
                  Expect.equal (Json.formatDouble -infinity) "-Infinity" "-inf"
                  Expect.equal (Json.formatSingle -1.5f) "-1.5" "single"
                  Expect.equal (Json.encodeValue (ValueRecord.Int(-5L, -2))) """{"kind":"Int","i":-5,"type_id":-2}""" "int"
                  Expect.equal (Json.encodeEvent (ThreadSwitch -7L)) """{"ThreadSwitch":-7}""" "thread id")
          }
          test "encodeTrace of nothing is an empty array" {
              let text = Json.encodeTrace []
              Expect.equal text (Json.arrayStart + Json.arrayEnd) "framing only"
              Expect.equal (parse text (fun r -> r.GetArrayLength())) 0 "empty"
          } ]

let private generatorTests =
    testList
        "generators"
        [ test "strings hit every awkward class" {
              let samples = Gen.sampleWithSize 30 1000 Gens.text
              let any p = samples |> Array.exists p
              Expect.isTrue (any hasLoneSurrogate) "a lone surrogate"
              Expect.isTrue (any (fun s -> s |> Seq.exists (fun c -> c < ' '))) "a control char"
              Expect.isTrue (any (fun s -> s.Contains '"')) "a quote"
              Expect.isTrue (any (fun s -> s.Contains '\\')) "a backslash"
              Expect.isTrue (any (fun s -> s |> Seq.exists (fun c -> int c > 127 && not (Char.IsSurrogate c)))) "non-ASCII"
              Expect.isTrue (any (fun s -> s.Contains "\U0001F600")) "a valid pair"
          }
          test "values cover every case and nest" {
              let samples = Gen.sampleWithSize 100 2000 Gens.value
              let cases = samples |> Array.map valueCase |> Set.ofArray
              Expect.equal cases.Count 13 (sprintf "all 13 cases, got %A" cases)
              Expect.isGreaterThanOrEqual (samples |> Array.map depth |> Array.max) 3 "nesting"
          }
          test "events cover every case" {
              let samples = Gen.sampleWithSize 50 2000 Gens.event
              let caseName (e: TraceEvent) = (FSharpValue.GetUnionFields(e, typeof<TraceEvent>) |> fst).Name
              let cases = samples |> Array.map caseName |> Set.ofArray
              Expect.equal cases.Count 13 (sprintf "all 13 cases, got %A" cases)
          } ]

let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig config "every event parses and decodes to the sanitized event"
          <| fun (e: TraceEvent) ->
              let text = Json.encodeEvent e
              Expect.equal (parse text decodeEvent) (Sanitized.event e) text

          testPropertyWithConfig config "every value parses and decodes to the sanitized value"
          <| fun (v: ValueRecord) ->
              let text = Json.encodeValue v
              Expect.equal (parse text decodeValue) (Sanitized.value v) text

          testPropertyWithConfig config "encoded events are one line of valid UTF-8"
          <| fun (e: TraceEvent) ->
              let text = Json.encodeEvent e
              let bytes = strictUtf8.GetBytes text // throws on a lone surrogate
              Expect.equal (strictUtf8.GetString bytes) text "UTF-8 round trip"
              Expect.isFalse (text |> Seq.exists (fun c -> c < ' ')) "no raw control char"

          testPropertyWithConfig config "sanitize replaces exactly the lone surrogates by U+FFFD"
          <| fun (s: string) ->
              let r = JsonText.sanitize s
              Expect.equal r (utf8RoundTrip s) "same as the UTF-8 encoder's replacement"
              Expect.isTrue (isValidUtf16 r) "no lone surrogate left"
              if not (hasLoneSurrogate s) then
                  Expect.isTrue (Object.ReferenceEquals(r, s)) "fast path returns the same string"

          testPropertyWithConfig config "strings decode to their sanitized text"
          <| fun (s: string) ->
              let text = Json.encodeValue (ValueRecord.String(s, 0))
              let decoded = parse text (str "text")
              Expect.equal decoded (utf8RoundTrip s) "decoded"

          testPropertyWithConfig config "formatDouble round-trips every bit pattern"
          <| Prop.forAll (Arb.fromGen Gens.doubleBits) (fun d ->
              let t = Json.formatDouble d
              if Double.IsNaN d then
                  Expect.equal t "NaN" "NaN"
              else
                  let back = Double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)
                  Expect.equal (BitConverter.DoubleToInt64Bits back) (BitConverter.DoubleToInt64Bits d) t)

          testPropertyWithConfig config "formatDouble round-trips FsCheck's doubles"
          <| fun (d: double) ->
              let t = Json.formatDouble d
              if Double.IsNaN d then
                  Expect.equal t "NaN" "NaN"
              else
                  let back = Double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)
                  Expect.equal (BitConverter.DoubleToInt64Bits back) (BitConverter.DoubleToInt64Bits d) t

          testPropertyWithConfig config "formatSingle round-trips every bit pattern as float32"
          <| Prop.forAll (Arb.fromGen Gens.singleBits) (fun f ->
              let t = Json.formatSingle f
              if Single.IsNaN f then
                  Expect.equal t "NaN" "NaN"
              else
                  let back = Single.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)
                  Expect.equal (BitConverter.SingleToInt32Bits back) (BitConverter.SingleToInt32Bits f) t)

          testPropertyWithConfig config "encodeTrace is one array of all the events, one per line"
          <| fun (events: TraceEvent list) ->
              let text = Json.encodeTrace events
              let decoded = parse text (arrayOf decodeEvent)
              Expect.equal decoded (List.map Sanitized.event events) "elements"
              Expect.stringStarts text Json.arrayStart "starts with the framing"
              Expect.stringEnds text Json.arrayEnd "ends with the framing"
              let lines = text.Split '\n'
              // "[", one line per event, "]", and the empty rest after the final newline.
              Expect.equal lines.Length (max 1 events.Length + 3) "line count" ]

let tests = testList "Trace.Json" [ exampleTests; generatorTests; propertyTests ]
