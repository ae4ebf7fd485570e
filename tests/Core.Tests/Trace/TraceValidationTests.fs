module CodeTracer.Core.Tests.TraceValidationTests

open System
open System.Diagnostics
open System.Text
open System.Text.Json
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Trace
open CodeTracer.Core.Recording
open CodeTracer.Core.Tests.WellFormedTraces

// ---------------------------------------------------------------------------
// Folder contents and the validator under test.

let private metadata : TraceMetadataFields =
    { RecordingId = Some "01a212ff-6b2b-70b8-89fe-f96cfbe8f6a8"
      Program = Some "/home/user/demo/bin/Demo.dll"
      Args = Some []
      Workdir = Some "/home/user/demo"
      Recorder = None
      Outcome = None
      ExitCode = None
      TraceFilter = None }

let private pathsOf (events: TraceEvent list) = events |> List.choose (function Path p -> Some p | _ -> None)

let private utf8 (s: string) = Encoding.UTF8.GetBytes s

let private metadataJson (m: TraceMetadataFields) =
    JObject
        [ "recording_id", (match m.RecordingId with Some r -> JString r | None -> JNull)
          "program", (match m.Program with Some p -> JString p | None -> JNull)
          "args", JArray(m.Args |> Option.defaultValue [] |> List.map JString)
          "workdir", (match m.Workdir with Some w -> JString w | None -> JNull) ]
    |> JsonNode.render

/// The three files of a folder holding these events, as bytes.
let private files (events: TraceEvent list) =
    utf8 (Json.encodeTrace events), utf8 (Metadata.pathsToJson (pathsOf events)), utf8 (metadataJson metadata)

/// Validation of the typed events with matching side files.
let private problemsOf (partial: bool) (events: TraceEvent list) =
    TraceValidation.validate partial events (Ok(pathsOf events)) (Ok metadata)

let private problemsOnly (problems: TraceProblem list, _: string list, _: TraceValidation.EventTally) = problems

let private render (problems: TraceProblem list) = problems |> List.map TraceProblem.render |> String.concat "\n"

// ---------------------------------------------------------------------------
// Mutations that each break one rule, and the words of the problem that names it.

let private indexWhere (f: TraceEvent -> bool) (events: TraceEvent list) = events |> List.tryFindIndex f

let private lastIndexWhere (f: TraceEvent -> bool) (events: TraceEvent list) = events |> List.tryFindIndexBack f

let private removeAt (i: int) (events: TraceEvent list) = List.removeAt i events

let private isCall = function Call _ -> true | _ -> false

/// The value of the last Return replaced.
let private lastReturnIs (v: ValueRecord) (events: TraceEvent list) =
    lastIndexWhere (function Return _ -> true | _ -> false) events
    |> Option.map (fun i -> List.updateAt i (Return v) events)

let rec private nested (n: int) : ValueRecord = if n = 0 then NoneValue 0 else Sequence([ nested (n - 1) ], false, 6)

// F# turns a lone surrogate in a string literal into U+FFFD: build them from chars.
let private highSurrogate = string (char 0xD800)
let private lowSurrogate = string (char 0xDC00)

/// (rule, words of its message, mutation of a complete well-formed trace; None when it does not apply).
let private mutations : (string * string * (TraceEvent list -> TraceEvent list option)) list =
    [ "drop a Path", "path_id",
      (fun es -> lastIndexWhere (function Path _ -> true | _ -> false) es |> Option.map (fun i -> removeAt i es))
      "drop the Step before a Call", "is not directly preceded by a Step at its definition",
      (fun es ->
          let calls = es |> List.indexed |> List.filter (snd >> isCall) |> List.map fst
          match calls with
          | _ :: _ :: _ ->
              let call = List.last calls
              let step = es |> List.take call |> List.findIndexBack (fun e -> not (TraceValidation.isRegistration e))
              Some(removeAt step es)
          | _ -> None)
      "a Return too many", "Return without an open Call", (fun es -> Some(es @ [ Return(NoneValue 0) ]))
      "calls left open", "never return", (fun es -> lastIndexWhere (function Return _ -> true | _ -> false) es |> Option.map (fun i -> removeAt i es))
      "an out-of-range function id", "function_id",
      (fun es -> let n = es |> List.filter (function Function _ -> true | _ -> false) |> List.length in Some(es @ [ Step(0, 1); Call(n, []) ]))
      "an out-of-range variable id", "variable_id",
      (fun es -> let n = es |> List.filter (function VariableName _ -> true | _ -> false) |> List.length in Some(es @ [ Step(0, 1); Value(n, NoneValue 0) ]))
      "an out-of-range type id", "type_id", lastReturnIs (NoneValue types.Length)
      "an out-of-range path id", "path_id", (fun es -> Some(es @ [ Step(pathsOf es |> List.length, 1) ]))
      "a lone surrogate in an Event", "Event.content holds a lone surrogate", (fun es -> Some(es @ [ IoEvent(0, "{}", "a" + highSurrogate + "b") ]))
      "a lone surrogate in an Event's metadata", "Event.metadata holds a lone surrogate", (fun es -> Some(es @ [ IoEvent(0, lowSurrogate, "") ]))
      "a lone surrogate in a String", "String.text holds a lone surrogate", lastReturnIs (ValueRecord.String(lowSurrogate + "x", 2))
      "a lone surrogate in a variable name", "VariableName holds a lone surrogate", (fun es -> Some(es @ [ VariableName("x" + highSurrogate) ]))
      "type 0 is not None", "type 0 must be",
      (fun es -> indexWhere (function TraceEvent.Type _ -> true | _ -> false) es |> Option.map (fun i -> List.updateAt i (TraceEvent.Type(TypeKind.Int, "int", NoInfo)) es))
      "a Step before any Call", "a Step before any Call",
      (fun es -> indexWhere isCall es |> Option.map (fun i -> List.insertAt i (Step(0, 1)) es))
      "a Value before the first Step", "a Value before the first Step",
      (fun es -> indexWhere isCall es |> Option.map (fun i -> List.insertAt (i + 1) (Value(0, NoneValue 0)) es))
      "DropLastStep with no step", "DropLastStep with no step",
      (fun es -> indexWhere isCall es |> Option.map (fun i -> List.insertAt (i + 1) DropLastStep es))
      "a Path registered twice", "registered twice", (fun es -> Some(es @ [ Path(List.head (pathsOf es)) ]))
      "a relative Path", "is not absolute", (fun es -> Some(es @ [ Path "src/Program.cs" ]))
      "a Struct with too few fields", "Struct value has 1 field values", lastReturnIs (Struct([ ValueRecord.Int(1L, 1) ], 8))
      "a Struct of a non-Struct type", "not a Struct type", lastReturnIs (Struct([], 1))
      "a Char of two code points", "exactly one code point", lastReturnIs (ValueRecord.Char("ab", 5))
      "a Float that is no number", "does not parse as a number", lastReturnIs (Float("2,5", 4))
      "a BigInt that is not base64", "base64", lastReturnIs (BigInt("AQI", false, 12))
      "a value nested too deep", "nested deeper than 200", lastReturnIs (nested 202)
      "an Event kind out of range", "Event.kind", (fun es -> Some(es @ [ IoEvent(14, "", "") ]))
      "a Type kind out of range", "Type.kind", (fun es -> Some(es @ [ TraceEvent.Type(34, "x", NoInfo) ]))
      "a struct field of an undefined type", "refers to undefined type",
      (fun es -> Some(es @ [ TraceEvent.Type(TypeKind.Struct, "S", StructInfo [ "f", 99 ]) ]))
      "a Step on line 0", "Step.line", (fun es -> Some(es @ [ Step(0, 0) ]))
      "a Function on line -1", "Function.line", (fun es -> Some(es @ [ Function(0, -1, "f") ]))
      "a Function without a name", "Function.name", (fun es -> Some(es @ [ Function(0, 1, "") ]))
      "no Call at all", "no Call at all", (fun _ -> Some []) ]

// ---------------------------------------------------------------------------
// ct-validate.py, for agreement.

/// Runs ct-validate.py --stats on a folder holding these three files: exit code and output.
let private ctValidate files : int * string =
    match CtValidate.run [ "--stats" ] files with
    | Some verdict -> verdict
    | None -> failwith "ct-validate.py is absent (the agreement test is skipped then)"

/// Text-level damage the typed model cannot express (the encoder would not write it).
let private textMutations : (string * (string -> string option)) list =
    let replaceFirst (what: string) (by: string) (s: string) =
        let i = s.IndexOf(what, StringComparison.Ordinal)
        if i < 0 then None else Some(s.Substring(0, i) + by + s.Substring(i + what.Length))
    [ "a lone surrogate escape in an Event", replaceFirst "\"content\":\"" "\"content\":\"\\ud800"
      "a lone surrogate escape in a String", replaceFirst "\"text\":\"" "\"text\":\"x\\udc00"
      "an unknown event name", replaceFirst "{\"Step\":" "{\"Stepp\":"
      "an unknown value kind", replaceFirst "\"kind\":\"Int\"" "\"kind\":\"Integer\""
      "an Assignment event", replaceFirst "{\"Step\":" "{\"Assignment\":"
      "a truncated file", (fun s -> Some(s.Substring(0, s.Length * 2 / 3)))
      "a float id", replaceFirst "\"path_id\":0" "\"path_id\":0.0"
      "a missing field", replaceFirst ",\"is_slice\":false" ""
      "two keys in one event", replaceFirst "{\"Step\":{" "{\"Line\":1,\"Step\":{"
      "Call args left out", replaceFirst ",\"args\":[]" ""
      "an unknown extra field", replaceFirst "{\"Step\":{" "{\"Step\":{\"extra\":[1,2],"
      "an exponent int", replaceFirst "\"line\":1" "\"line\":1e0" ]

/// A generated case for the agreement property: valid, or broken by one mutation.
let private agreementCase : Gen<string * (byte array * byte array * byte array)> =
    gen {
        let! t = wellFormed
        let! choice = Gen.choose (0, 3)
        match choice with
        | 0 -> return "valid", files t.Events
        | 1 ->
            let! name, _, mutate = Gen.elements mutations
            let events = mutate t.Events |> Option.defaultValue t.Events
            // The side files of the original trace: a mutation of the paths shows there too.
            let _, paths, meta = files t.Events
            return name, (utf8 (Json.encodeTrace events), paths, meta)
        | 2 ->
            let! name, mutate = Gen.elements textMutations
            let trace, paths, meta = files t.Events
            let text = Encoding.UTF8.GetString trace
            return name, ((mutate text |> Option.defaultValue text) |> utf8, paths, meta)
        | _ ->
            let! which = Gen.choose (0, 5)
            let trace, paths, _ = files t.Events
            let meta =
                match which with
                | 0 -> { metadata with RecordingId = Some "01A212FF-6B2B-70B8-89FE-F96CFBE8F6A8" }
                | 1 -> { metadata with Workdir = Some "relative/dir" }
                | 2 -> { metadata with Program = None }
                | 3 -> { metadata with RecordingId = Some "{01a212ff-6b2b-70b8-89fe-f96cfbe8f6a8}" }
                | _ -> metadata
            let paths = if which = 4 then utf8 "[\"/elsewhere.cs\"]" elif which = 5 then utf8 "[1" else paths
            return sprintf "side files %d" which, (trace, paths, utf8 (metadataJson meta))
    }

// ---------------------------------------------------------------------------

let private config = { Generators.config with maxTest = 150 }

/// The complete example of shared/spec/trace-format.md.
let private specExample =
    """[
{"Path":"/home/user/demo/Program.cs"},
{"Type":{"kind":30,"lang_type":"None","specific_info":{"kind":"None"}}},
{"Type":{"kind":7,"lang_type":"int","specific_info":{"kind":"None"}}},
{"Function":{"path_id":0,"line":1,"name":"<toplevel>"}},
{"Call":{"function_id":0,"args":[]}},
{"Step":{"path_id":0,"line":1}},
{"Function":{"path_id":0,"line":14,"name":"Demo.Program.Main()"}},
{"Step":{"path_id":0,"line":14}},
{"Call":{"function_id":1,"args":[]}},
{"Step":{"path_id":0,"line":15}},
{"Function":{"path_id":0,"line":6,"name":"Demo.Program.Sum(int)"}},
{"VariableName":"n"},
{"Step":{"path_id":0,"line":6}},
{"Call":{"function_id":2,"args":[{"variable_id":0,"value":{"kind":"Int","i":2,"type_id":1}}]}},
{"Step":{"path_id":0,"line":7}},
{"Value":{"variable_id":0,"value":{"kind":"Int","i":2,"type_id":1}}},
{"Step":{"path_id":0,"line":10}},
{"VariableName":"<return_value>"},
{"Value":{"variable_id":1,"value":{"kind":"Int","i":1,"type_id":1}}},
{"Return":{"return_value":{"kind":"Int","i":1,"type_id":1}}},
{"Step":{"path_id":0,"line":16}},
{"Event":{"kind":0,"metadata":"{\"stream\":\"stdout\",\"thread\":1}","content":"1\n"}},
{"Step":{"path_id":0,"line":17}},
{"Return":{"return_value":{"kind":"None","type_id":0}}},
{"Return":{"return_value":{"kind":"Int","i":0,"type_id":1}}}
]"""

let private decodeOk (json: string) =
    match TraceDecoder.decodeEventsText json with
    | Ok events -> events
    | Result.Error p -> failtestf "decoding failed: %s" (TraceProblem.render p)

let private decodeError (json: string) =
    match TraceDecoder.decodeEventsText json with
    | Ok _ -> failtestf "decoding should fail: %s" json
    | Result.Error p -> p

let private exampleTests =
    testList
        "examples"
        [ test "the well-formed generator nests calls, registers lazily and eagerly, writes output and thread markers" {
              let samples = Gen.sampleWithSize 30 200 wellFormed
              let depth (t: WellFormed) = (TraceSummary.callTree Int32.MaxValue Int32.MaxValue t.Events).Roots |> List.map (fun r -> let rec d (n: CallNode) = 1 + (n.Children |> List.map d |> List.fold max 0) in d r) |> List.max
              Expect.isGreaterThanOrEqual (samples |> Array.map depth |> Array.max) 4 "nested calls"
              let lazyRegistration (t: WellFormed) = t.Events |> List.pairwise |> List.exists (function Step _, Function _ -> true | _ -> false)
              Expect.isTrue (samples |> Array.exists lazyRegistration) "a Function between a Step and its Call"
              Expect.isTrue (samples |> Array.exists (lazyRegistration >> not)) "everything up front"
              Expect.isTrue (samples |> Array.exists (fun t -> t.Events |> List.exists (function IoEvent _ -> true | _ -> false))) "io"
              Expect.isTrue (samples |> Array.exists (fun t -> t.Events |> List.exists (function ThreadSwitch _ -> true | _ -> false))) "threads"
              Expect.isTrue (samples |> Array.exists (fun t -> t.Events |> List.exists (function Value(_, Struct _) -> true | _ -> false))) "structs"
          }
          test "the spec's example decodes and is valid" {
              let events = decodeOk specExample
              Expect.equal events.Length 25 "events"
              Expect.equal events.[13] (Call(2, [ 0, ValueRecord.Int(2L, 1) ])) "the Call of Sum"
              Expect.isEmpty (problemsOf false events) "valid"
          }
          test "decoder: lone surrogate escapes are kept for the validator to report" {
              let events = decodeOk """[{"Event":{"kind":0,"metadata":"","content":"a\ud800b\"\n\u00e9\ud83d\ude00"}}]"""
              Expect.equal events [ IoEvent(0, "", "a" + highSurrogate + "b\"\n\u00e9\U0001F600") ] "text"
              let problems, _, _ = TraceValidation.checkEvents false events
              Expect.exists problems (fun p -> p.Message = "Event.content holds a lone surrogate" && p.Where = "event #0 (Event)") (render problems)
          }
          test "decoder: located errors for what the loader rejects" {
              let at (json: string) = TraceProblem.render (decodeError json)
              Expect.stringContains (at """[{"Step":{"path_id":0,"line":1}},{"Stepp":{}}]""") "event #1 (Stepp): unknown event 'Stepp'" "unknown event"
              Expect.stringContains (at """[{"Value":{"variable_id":0,"value":{"kind":"Integer","i":1,"type_id":0}}}]""") "event #0 (Value): unknown value kind 'Integer'" "unknown kind"
              Expect.stringContains (at """[{"Step":{"path_id":0,"line":1}}""") "trace.json:" "truncated"
              Expect.stringContains (at """{"Step":{}}""") "trace.json: the file must be one JSON array" "not an array"
              Expect.stringContains (at """[{"Step":{"path_id":0.5,"line":1}}]""") "Step.path_id must be an integer" "a float id"
              Expect.stringContains (at """[{"Step":{"line":1}}]""") "Step lacks 'path_id'" "missing field"
              Expect.stringContains (at """[{"Step":{"path_id":0,"line":1},"Call":{}}]""") "exactly one key" "two keys"
              Expect.stringContains (at """[{"Assignment":{}}]""") "must not be written" "Assignment"
              Expect.stringContains (at """[{"Return":{"return_value":{"kind":"Cell","type_id":0}}}]""") "Cell values are not allowed" "Cell"
              // ct-validate.py accepts these two; the model has no case for them (the recorder never writes them).
              Expect.stringContains (at """[{"Return":{"return_value":{"kind":"Reference","dereferenced":{"kind":"None","type_id":0},"address":1,"mutable":true,"type_id":0}}}]""") "not supported by this reader" "Reference"
              Expect.stringContains (at """[{"CompoundValue":{}}]""") "not supported by this reader" "CompoundValue"
              Expect.stringContains (at """[] x""") "trace.json" "text after the array"
              let bom = Array.append [| 0xEFuy; 0xBBuy; 0xBFuy |] (utf8 "[]")
              Expect.isError (TraceDecoder.decodeEvents bom) "a byte order mark"
              Expect.isError (TraceDecoder.decodeEvents [| byte '['; byte '"'; 0xFFuy; byte '"'; byte ']' |]) "invalid UTF-8"
          }
          test "decoder: unknown fields are ignored, missing Call args are none, Variable is VariableName" {
              let events = decodeOk """[{"Step":{"x":[{}],"path_id":0,"line":3}},{"Call":{"function_id":0}},{"Variable":"v"},"DropLastStep"]"""
              Expect.equal events [ Step(0, 3); Call(0, []); VariableName "v"; DropLastStep ] "events"
          }
          test "side files: paths and metadata fields" {
              Expect.equal (SideFiles.decodePaths (utf8 """["/a.cs","/b.cs"]""")) (Ok [ "/a.cs"; "/b.cs" ]) "paths"
              Expect.isError (SideFiles.decodePaths (utf8 """["/a.cs",1]""")) "not strings"
              let m =
                  SideFiles.decodeMetadata (
                      utf8
                          """{"recording_id":"x","program":"p","args":["a",1],"workdir":"/w","exit_code":3,"outcome":"partial",
                              "trace_filter":{"filters":[{"name":"builtin-default","path":"<builtin>"}],"stats":{"methods_traced":4,"value_drops":{"arg":1}}}}"""
                  )
              match m with
              | Ok m ->
                  Expect.equal m.Args None "args with a number are no list of strings"
                  Expect.equal (m.ExitCode, m.Outcome) (Some 3L, Some "partial") "exit code and outcome"
                  Expect.equal m.TraceFilter (Some { Filters = [ "builtin-default", "<builtin>" ]; Stats = [ "methods_traced", 4L; "value_drops.arg", 1L ] }) "filters"
                  let problems = TraceValidation.checkMetadata (Ok m) |> List.map (fun p -> p.Message)
                  Expect.exists problems (fun p -> p.StartsWith "args") "args"
                  Expect.exists problems (fun p -> p.StartsWith "recording_id") "recording_id"
                  Expect.equal problems.Length 2 "program and workdir are fine"
              | Result.Error p -> failtest (TraceProblem.render p)
              Expect.isError (SideFiles.decodeMetadata (utf8 "[]")) "not an object"
          }
          test "metadata rules" {
              let messages m = TraceValidation.checkMetadata (Ok m) |> List.map (fun p -> p.Where + ": " + p.Message)
              Expect.isEmpty (messages metadata) "valid"
              Expect.equal (messages { metadata with RecordingId = Some "01A212FF-6B2B-70B8-89FE-F96CFBE8F6A8" }).Length 1 "uppercase id"
              Expect.equal (messages { metadata with RecordingId = None }).Length 1 "no id"
              Expect.stringContains (messages { metadata with Workdir = Some "demo" }).Head "workdir must be an absolute path" "relative workdir"
              Expect.stringContains (messages { metadata with Program = Some "" }).Head "program must be a non-empty string" "empty program"
              Expect.stringContains (messages { metadata with Args = None }).Head "trace_metadata.json: args" "args"
          }
          test "paths file rules" {
              let problems = TraceValidation.validate false (decodeOk specExample) (Ok [ "/other.cs" ]) (Ok metadata)
              Expect.equal (problems |> List.map (fun p -> p.Where)) [ "trace_paths.json" ] "paths differ"
              let unreadable = TraceValidation.validateFiles false (utf8 specExample) (utf8 "[") (utf8 (metadataJson metadata))
              Expect.equal (unreadable |> List.map (fun p -> p.Where)) [ "trace_paths.json" ] "unreadable paths"
          }
          test "summary text: outcome and exit code, top functions, the filter chain" {
              let events = decodeOk specExample
              let m =
                  { metadata with
                      Outcome = Some "partial"
                      ExitCode = Some 3L
                      Recorder = Some("codetracer-dotnet", "0.1.0")
                      TraceFilter = Some { Filters = [ "builtin-default", "<builtin>"; "payments", ".codetracer/trace-filter.toml" ]; Stats = [ "methods_traced", 4L ] } }
              let lines = TraceSummary.renderSummary "/t" (Ok m) (TraceSummary.counts events) (TraceSummary.callsPerFunction events) 2
              Expect.contains lines "outcome      partial, exit code 3" "outcome"
              Expect.contains lines "recorder     codetracer-dotnet 0.1.0" "recorder"
              Expect.contains lines "       1  <toplevel>" "top function"
              Expect.contains lines "          … 1 more functions" "the rest counted"
              Expect.contains lines "filters      builtin-default (<builtin>) :: payments (.codetracer/trace-filter.toml)" "the chain"
              Expect.contains lines "             methods_traced 4" "filter counters"
              let unreadable = TraceSummary.renderSummary "/t" (Result.Error(TraceProblem.create "trace_metadata.json" "bad")) (TraceSummary.counts events) [] 2
              Expect.contains unreadable "metadata     unreadable: trace_metadata.json: bad" "unreadable metadata"
          }
          test "Python's float() spellings" {
              let floats = [ "2.5"; "-0"; "1e5"; "1E+308"; ".5"; "5."; " 7 "; "1_000.5"; "NaN"; "-Infinity"; "inf"; "+nan"; "١٢" ]
              for f in floats do
                  Expect.isEmpty (problemsOnly (TraceValidation.checkEvents false [ TraceEvent.Type(30, "None", NoInfo); Call(-1, []); Return(Float(f, 0)) ]) |> List.filter (fun p -> p.Message.Contains "Float")) f
              for f in [ ""; "2,5"; "1__0"; "_1"; "1_"; "e5"; "."; "0x10"; "infinit" ] do
                  Expect.exists (problemsOnly (TraceValidation.checkEvents false [ TraceEvent.Type(30, "None", NoInfo); Return(Float(f, 0)) ])) (fun p -> p.Message.Contains "does not parse") f
          }
          test "summary: counts, calls per function, the call tree and value texts" {
              let events = decodeOk specExample
              let c = TraceSummary.counts events
              Expect.equal (c.Events, c.Steps, c.Calls, c.Returns, c.Functions, c.Paths, c.Types, c.Variables, c.Values, c.IoEvents, c.OpenCalls) (25, 8, 3, 3, 3, 1, 2, 2, 6, 1, 0) "counts"
              Expect.equal (TraceSummary.callsPerFunction events) [ "<toplevel>", 1; "Demo.Program.Main()", 1; "Demo.Program.Sum(int)", 1 ] "calls per function"
              let lines = TraceSummary.renderCalls (TraceSummary.callTree 10 20 events)
              Expect.equal lines [ "<toplevel> → 0"; "  Demo.Program.Main() → null"; "    Demo.Program.Sum(int) n=2 → 1" ] "tree"
              let cut = TraceSummary.renderCalls (TraceSummary.callTree 1 20 events)
              Expect.equal cut [ "<toplevel> → 0"; "  … 2 more calls" ] "cut at depth 1"
              let types: TraceSummary.TypeTable = [| "None", []; "Demo.Point", [ "X"; "Y" ] |]
              let show = TraceSummary.showValue types
              Expect.equal (show (ValueRecord.Int(3L, 0))) "3" "int"
              Expect.equal (show (ValueRecord.String("a\"b\n", 0))) "\"a\\\"b\\n\"" "string"
              Expect.equal (show (ValueRecord.Char("x", 0))) "'x'" "char"
              Expect.equal (show (Sequence([ ValueRecord.Int(1L, 0); ValueRecord.Int(2L, 0) ], false, 0))) "[1, 2]" "sequence"
              Expect.equal (show (ValueRecord.Tuple([ ValueRecord.Int(1L, 0); Bool(true, 0) ], 0))) "(1, true)" "tuple"
              Expect.equal (show (Struct([ ValueRecord.Int(1L, 0); ValueRecord.Int(2L, 0) ], 1))) "Demo.Point{X: 1, Y: 2}" "struct"
              Expect.equal (show (Variant("Red", ValueRecord.Int(0L, 0), 0))) "Red" "enum"
              Expect.equal (show (Variant("Some", ValueRecord.String("a", 0), 0))) "Some(\"a\")" "union case"
              Expect.equal (show (Raw("<cycle>", 0))) "<cycle>" "raw"
              Expect.equal (show (ValueRecord.Error("boom", 0))) "error: boom" "error"
              Expect.equal (show (NoneValue 0)) "null" "none"
              Expect.equal (show (BigInt("AQI=", true, 0))) "-258" "bigint"
              Expect.equal (show (ValueRecord.String(System.String('x', 200), 0))).Length (TraceSummary.MaxValueText + 1) "cut with …"
          } ]

let private propertyTests =
    testList
        "properties"
        [ testPropertyWithConfig config "every encoded well-formed trace validates"
          <| Prop.forAll (Arb.fromGen wellFormed) (fun t ->
              let trace, paths, meta = files t.Events
              let problems = TraceValidation.validateFiles false trace paths meta
              Expect.isEmpty problems (render problems))

          testPropertyWithConfig config "a well-formed trace cut short validates with partial"
          <| Prop.forAll (Arb.fromGen cutShort) (fun t ->
              let trace, paths, meta = files t.Events
              let problems = TraceValidation.validateFiles true trace paths meta
              Expect.isEmpty problems (render problems)
              let c = TraceSummary.counts t.Events
              let strict = TraceValidation.validateFiles false trace paths meta
              Expect.equal (strict.IsEmpty) (c.OpenCalls = 0) "without partial, open calls are a problem")

          testPropertyWithConfig config "decode (encode events) = events, strings sanitized"
          <| Prop.forAll (Arb.fromGen (Gen.listOf Gens.event)) (fun events ->
              Expect.equal (TraceDecoder.decodeEventsText (Json.encodeTrace events)) (Ok(List.map Sanitized.event events)) "round trip")

          testPropertyWithConfig config "trace.json read in pieces cut anywhere gives the same events as read whole"
          <| Prop.forAll (Arb.fromGen (Gen.zip (Gen.listOf Gens.event) (Gen.listOf (ArbMap.defaults |> ArbMap.generate<int>)))) (fun (events, cuts) ->
              let json = Encoding.UTF8.GetBytes(Json.encodeTrace events)
              Expect.equal (Pieces.json json cuts) (Ok(List.map Sanitized.event events)) "pieces")

          test "trace.json in pieces: a truncated array, text after it, a byte order mark split across pieces" {
              let problem (text: string) (cuts: int list) =
                  match Pieces.json (Encoding.UTF8.GetBytes text) cuts with
                  | Ok es -> failtestf "expected a problem for %s, got %A" text es
                  | Result.Error p -> TraceProblem.render p
              Expect.stringContains (problem "[{\"Step\":{\"path_id\":0,\"line\":1}}," [ 5; 20 ]) "trace.json: " "truncated"
              Expect.stringContains (problem "[]\n x" [ 2 ]) "trace.json" "text after"
              Expect.stringContains (problem "\uFEFF[]" [ 1 ]) "byte order mark" "a BOM"
              Expect.equal (Pieces.json (Encoding.UTF8.GetBytes "[\n\"DropLastStep\"\n]\n") [ 1; 3; 14; 17 ]) (Ok [ DropLastStep ]) "whitespace after"
          }

          testPropertyWithConfig config "well-formed traces round trip"
          <| Prop.forAll (Arb.fromGen wellFormed) (fun t ->
              Expect.equal (TraceDecoder.decodeEventsText (Json.encodeTrace t.Events)) (Ok(List.map Sanitized.event t.Events)) "round trip")

          testPropertyWithConfig config "validation's tally is the summary's counts, on whole and cut-short traces"
          <| Prop.forAll (Arb.fromGen (Gen.oneof [ wellFormed; cutShort ])) (fun t ->
              let _, tally = TraceValidation.check true t.Events (Ok(pathsOf t.Events)) (Ok metadata)
              let c = TraceSummary.counts t.Events
              Expect.equal (tally.Events, tally.Steps, tally.Calls, tally.Functions) (c.Events, c.Steps, c.Calls, c.Functions) "tally")

          testList
              "each broken rule is named"
              [ for name, words, mutate in mutations ->
                    testPropertyWithConfig { config with maxTest = 60 } name
                    <| Prop.forAll (Arb.fromGen wellFormed) (fun t ->
                        Expect.isEmpty (problemsOf false t.Events) "the trace before the mutation is valid"
                        match mutate t.Events with
                        | None -> ()
                        | Some broken ->
                            let problems = TraceValidation.validate false broken (Ok(pathsOf broken)) (Ok metadata)
                            Expect.exists problems (fun p -> p.Message.Contains words) (sprintf "a problem with '%s' in:\n%s" words (render problems))) ]

          testPropertyWithConfig config "the call tree shows every call once, cut to depth and width"
          <| Prop.forAll (Arb.fromGen (Gen.zip3 cutShort (Gen.choose (1, 6)) (Gen.choose (1, 5)))) (fun (t, depth, width) ->
              let forest = TraceSummary.callTree depth width t.Events
              // A thread's heading is no call, no level, and not one of the children the width cuts.
              let calls (node: CallNode) = node.Children |> List.filter (fun c -> c.Thread.IsNone)
              let rec walk (level: int) (node: CallNode) : int =
                  Expect.isLessThanOrEqual (calls node).Length width "width"
                  match node.Thread with
                  | Some _ -> node.HiddenCalls + List.sumBy (walk level) node.Children
                  | None ->
                      Expect.isLessThanOrEqual level depth "depth"
                      1 + node.HiddenCalls + List.sumBy (walk (level + 1)) node.Children
              let shown = forest.HiddenCalls + List.sumBy (walk 1) forest.Roots
              Expect.equal shown (TraceSummary.counts t.Events).Calls "shown + hidden = calls"
              let all = TraceSummary.callTree Int32.MaxValue Int32.MaxValue t.Events
              let rec open' (node: CallNode) = (if node.Returned.IsNone && node.Thread.IsNone then 1 else 0) + List.sumBy open' node.Children
              Expect.equal (List.sumBy open' all.Roots) (TraceSummary.counts t.Events).OpenCalls "open calls have no return")

          if CtValidate.script.IsNone then
              test "agrees with ct-validate.py on valid and broken folders" { skiptest "ct-validate.py is absent" }
          else
              testPropertyWithConfig { config with maxTest = 60 } "agrees with ct-validate.py on valid and broken folders"
              <| Prop.forAll (Arb.fromGen agreementCase) (fun (name, (trace, paths, meta)) ->
                  let ours = TraceValidation.validateFiles false trace paths meta
                  let code, output = ctValidate (trace, paths, meta)
                  Expect.equal (ours.IsEmpty) (code = 0) (sprintf "%s: ours:\n%s\nct-validate.py (exit %d):\n%s" name (render ours) code output)
                  if ours.IsEmpty then
                      // Same counts as --stats.
                      let stats = JsonDocument.Parse(output.Split('\n') |> Array.find (fun l -> l.StartsWith "{")).RootElement
                      let c = TraceSummary.counts (decodeOk (Encoding.UTF8.GetString trace))
                      let get (k: string) = stats.GetProperty(k).GetInt32()
                      Expect.equal
                          (c.Events, c.Steps, c.Calls, c.Returns, c.OpenCalls, c.Functions, c.Paths, c.Types, c.Variables, c.Values, c.IoEvents)
                          (get "events", get "steps", get "calls", get "returns", get "open_calls", get "functions", get "paths", get "types", get "variables", get "values", get "io_events")
                          "counts") ]

let tests = testList "Trace.Validation" [ exampleTests; propertyTests ]
