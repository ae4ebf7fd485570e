namespace CodeTracer.Core.Probes

/// Where the instrumenter puts a probe, or who else writes its record.
type Placement =
    /// At the start of a method body, before its first instruction.
    | MethodEntry
    /// Before the first instruction of every (visible) sequence point.
    | SequencePoint
    /// Before every `ret`, with the return value still on the stack.
    | BeforeReturn
    /// In a fault handler around the whole body (after the entry probes): runs
    /// when an exception leaves the method.
    | Unwind
    /// Right after an Enter, Step or Return probe: one call per variable, chosen
    /// by the variable's declared CLR type (`Accepts`; empty: any other type, boxed).
    | ValueCapture of accepts: string list
    /// Written by the runtime itself (console capture, type descriptions,
    /// composite values); no instrumented call site.
    | RuntimeOnly

/// A field of a record's payload, in the order written (little-endian).
type PayloadField =
    | I32
    | I64
    | U8
    | U16
    /// `[int32 full length][int32 kept][kept UTF-16 code units]`.
    | Text
    /// Four int32 words, as `decimal.GetBits` returns them.
    | DecimalBits
    /// A nested value record (its own tag first).
    | NestedValue
    /// `count` nested value records, `count` read from the previous I32 field.
    | NestedValues
    /// `count` texts (each as `Text`), `count` read from the previous I32 field.
    | Texts

/// One row of the probe table.
type ProbeRow =
    { /// The name the reader and the docs use.
      Name: string
      /// The first byte of the raw record.
      Tag: byte
      Placement: Placement
      /// The public static method of `CodeTracer.Runtime.Probe` that instrumented
      /// code calls; empty for RuntimeOnly rows.
      RuntimeMethod: string
      /// The CLR types of the runtime method's parameters, in order.
      Parameters: string list
      /// The CLR type the runtime method returns (empty: void).
      Returns: string
      Payload: PayloadField list }

    /// The CLR type of the runtime method's first parameter (empty: none).
    member r.ParameterType =
        match r.Parameters with
        | p :: _ -> p
        | [] -> ""

/// The one declaration of every probe kind: the instrumenter, the runtime and
/// the raw-log reader all follow it (the runtime's `Tags` constants are checked
/// against it by a test, since the runtime may depend on nothing).
[<RequireQualifiedAccess>]
module ProbeTable =
    let private row name tag placement meth param payload =
        { Name = name; Tag = tag; Placement = placement; RuntimeMethod = meth
          Parameters = (if param = "" then [] else [ param ]); Returns = ""; Payload = payload }

    /// The runtime's per-call handle that instrumented code keeps in a local: its
    /// thread's buffer and the frame's memory of the values it wrote.
    [<Literal>]
    let FrameType = "CodeTracer.Runtime.Frame"

    /// Returns the frame's handle (null while nothing is recorded), kept in a local.
    let enter = { row "Enter" 1uy MethodEntry "Enter" "System.Int32" [ I32 ] with Returns = FrameType }
    /// Ends a step: written after the values of the step that may have changed (each
    /// announced by `at`), so that the values a step writes come before its site id.
    let step = { row "Step" 2uy SequencePoint "Step" "" [ I32 ] with Parameters = [ FrameType; "System.Int32" ] }
    let ret = { row "Return" 3uy BeforeReturn "Return" "" [] with Parameters = [ FrameType ] }
    /// `--activation`: before Enter in the matching methods; starts recording at the first entry.
    let activate = row "Activate" 0uy MethodEntry "Activate" "" []
    /// `--activation`: after Return in the matching methods; stops recording when the first entry returns.
    let deactivate = row "Deactivate" 0uy BeforeReturn "Deactivate" "" []
    /// Console IO: stream (0 stdout, 2 stderr, 3 stdin: what a read returned) then the text, never cut.
    let write = row "Write" 4uy RuntimeOnly "" "" [ U8; Text ]
    /// Announces a runtime type's full name under a per-thread id.
    let typeDef = row "TypeDef" 5uy RuntimeOnly "" "" [ I32; Text ]
    /// The recorder failed inside the program and detached: the reason. Nothing follows.
    let detach = row "Detach" 6uy RuntimeOnly "" "" [ Text ]
    /// The program dies of an unhandled exception: its type and message.
    let fault = row "Fault" 7uy RuntimeOnly "" "" [ Text ]
    /// The program's exit handlers ran: what follows this record is nothing.
    let exit = row "Exit" 8uy RuntimeOnly "" "" []
    /// An exception leaves the method: `[int32 serial][text "Type: message"]`. The
    /// serial is the thread's throw count (each throw and rethrow is a new one), so
    /// the frames one throw unwinds share it.
    let unwind = { row "Unwind" 9uy Unwind "Unwind" "" [ I32; Text ] with Parameters = [ FrameType ] }
    /// Announces the field names of a runtime type read as a Struct, once per thread
    /// (right before its first Struct record): `[type id][count][count names]`.
    let fieldsDef = row "FieldsDef" 10uy RuntimeOnly "" "" [ I32; I32; Texts ]
    /// The value record that follows is the step's variable at this position of its site
    /// (`[uint16 position]`); a variable of the site without one kept its last value.
    let at = row "At" 11uy SequencePoint "At" "System.Int32" [ U16 ]

    let valNull = row "Null" 16uy RuntimeOnly "" "" []

    let valInt =
        row "Int" 17uy
            (ValueCapture [ "System.SByte"; "System.Int16"; "System.Int32"; "System.Int64"; "System.Byte"; "System.UInt16"; "System.UInt32"; "System.IntPtr" ])
            "ValInt" "System.Int64" [ I64 ]

    let valUInt = row "UInt" 18uy (ValueCapture [ "System.UInt64"; "System.UIntPtr" ]) "ValUInt" "System.UInt64" [ I64 ]
    let valDouble = row "Double" 19uy (ValueCapture [ "System.Double" ]) "ValDouble" "System.Double" [ I64 ]
    let valSingle = row "Single" 20uy (ValueCapture [ "System.Single" ]) "ValSingle" "System.Single" [ I32 ]
    let valBool = row "Bool" 21uy (ValueCapture [ "System.Boolean" ]) "ValBool" "System.Boolean" [ U8 ]
    let valChar = row "Char" 22uy (ValueCapture [ "System.Char" ]) "ValChar" "System.Char" [ U16 ]
    let valString = row "String" 23uy (ValueCapture [ "System.String" ]) "ValString" "System.String" [ Text ]
    let valDecimal = row "Decimal" 24uy (ValueCapture [ "System.Decimal" ]) "ValDecimal" "System.Decimal" [ DecimalBits ]
    /// Any other type, boxed; the runtime writes one of the composite records below.
    let valObject = row "Object" 0uy (ValueCapture []) "ValObject" "System.Object" []
    /// `valObject` in a method whose filter redacts or drops fields: its field policy's id follows the value.
    let valObjectIn = { valObject with Name = "ObjectIn"; RuntimeMethod = "ValObjectIn"; Parameters = [ "System.Object"; "System.Int32" ] }
    /// A boxed value at a step: its site position, its frame place and field policy, and the
    /// frame; the runtime writes `at` and the value only when its bytes differ from what the
    /// frame last wrote for that place.
    let valObjectAt =
        { valObject with
            Name = "ObjectAt"
            RuntimeMethod = "ValObjectAt"
            Parameters = [ "System.Object"; "System.Int32"; "System.Int32"; "System.Int32"; FrameType ] }
    /// A primitive or string at a step, `at` and the value in one call with the frame's buffer:
    /// `(value, position, frame)`. Writes the same two records as `at` then the value probe.
    let private fusedAt (value: ProbeRow) =
        { value with
            Name = value.Name + "At"
            Tag = 0uy
            Placement = SequencePoint
            RuntimeMethod = value.RuntimeMethod + "At"
            Parameters = [ value.ParameterType; "System.Int32"; FrameType ]
            Payload = [] }

    let valIntAt = fusedAt valInt
    let valUIntAt = fusedAt valUInt
    let valDoubleAt = fusedAt valDouble
    let valSingleAt = fusedAt valSingle
    let valBoolAt = fusedAt valBool
    let valCharAt = fusedAt valChar
    let valStringAt = fusedAt valString

    /// The fused step probe of a primitive or string value probe, if it has one.
    let atFor (value: ProbeRow) =
        [ valIntAt; valUIntAt; valDoubleAt; valSingleAt; valBoolAt; valCharAt; valStringAt ]
        |> List.tryFind (fun r -> r.RuntimeMethod = value.RuntimeMethod + "At")

    /// `[type id][total count][kept count][kept values]`.
    let valSequence = row "Sequence" 25uy RuntimeOnly "" "" [ I32; I32; I32; NestedValues ]
    let valRaw = row "Raw" 26uy RuntimeOnly "" "" [ I32 ]
    /// `[type id][underlying bits][member name(s)]`.
    let valEnum = row "Enum" 27uy RuntimeOnly "" "" [ I32; I64; Text ]
    /// A boxed primitive: `[type id]` then the primitive's own record.
    let valBoxed = row "Boxed" 28uy RuntimeOnly "" "" [ I32; NestedValue ]
    /// A class, struct or record read field by field: `[type id][count][values]`, the
    /// names announced by the type's FieldsDef.
    let valStruct = row "Struct" 29uy RuntimeOnly "" "" [ I32; I32; NestedValues ]
    /// ValueTuple/Tuple, a dictionary entry: `[type id][count][values]`.
    let valTuple = row "Tuple" 30uy RuntimeOnly "" "" [ I32; I32; NestedValues ]
    /// An F# union case: `[type id][case name][count][field values]`.
    let valVariant = row "Variant" 31uy RuntimeOnly "" "" [ I32; Text; I32; NestedValues ]
    /// BigInteger, Int128, UInt128: `[type id][negative][base64 of the big-endian magnitude]`.
    let valBigInt = row "BigInt" 32uy RuntimeOnly "" "" [ I32; U8; Text ]
    /// A value not read, with a description (`<cycle>`, `<depth limit>`): `[type id][text]`.
    let valRawText = row "RawText" 33uy RuntimeOnly "" "" [ I32; Text ]
    /// A field or dictionary entry the method's filter redacts: never read, shown as
    /// `<redacted>`; the instrumenter writes it for a state machine's redacted result.
    let valRedacted = row "Redacted" 34uy BeforeReturn "ValRedacted" "" []
    /// A field or dictionary entry the method's filter drops: never read, shown as
    /// `<dropped>` in its place; the instrumenter writes it for a state machine's dropped result.
    let valDropped = row "Dropped" 35uy BeforeReturn "ValDropped" "" []

    /// Every row, in tag order (rows of tag 0 write no record of their own).
    let all =
        [ enter; step; ret; activate; deactivate; write; typeDef; detach; fault; exit; unwind; fieldsDef; at
          valNull; valInt; valUInt; valDouble; valSingle; valBool; valChar; valString; valDecimal
          valObject; valObjectIn; valObjectAt
          valIntAt; valUIntAt; valDoubleAt; valSingleAt; valBoolAt; valCharAt; valStringAt
          valSequence; valRaw; valEnum; valBoxed; valStruct; valTuple; valVariant; valBigInt; valRawText; valRedacted; valDropped ]

    /// The value probe for a declared CLR type (full name): the row that accepts
    /// it, else the boxing `valObject`.
    let valueProbeFor (clrFullName: string) =
        all
        |> List.tryFind (fun r ->
            match r.Placement with
            | ValueCapture accepts -> List.contains clrFullName accepts
            | _ -> false)
        |> Option.defaultValue valObject
