namespace CodeTracer.Core.Probes

/// What a probe writes into the raw log when it records (a probe of a call that is not
/// recorded writes nothing).
type Writes =
    /// No record: the probe only switches recording on or off (`--activation`).
    | Nothing
    /// This record.
    | Record of RecordRow
    /// This record, or `Null` for a null reference.
    | RecordOrNull of RecordRow
    /// A boxed value: the record of its runtime kind, chosen when the probe runs by the
    /// runtime's object writer (with the TypeDef and FieldsDef records it needs first).
    | AnyValue
    /// `At`, then what the other probe writes: one variable of a step.
    | AtThen of Writes

/// One probe: a public static method of `CodeTracer.Runtime.Probe` that instrumented code calls.
type ProbeRow =
    { /// The method's name.
      RuntimeMethod: string
      /// The CLR types of the method's parameters, in order.
      Parameters: string list
      /// The CLR type the method returns (empty: void).
      Returns: string
      /// A value probe: the declared CLR types of the variables it is called for (the
      /// instrumenter picks the probe of a variable by them). Empty for the others.
      Accepts: string list
      Writes: Writes }

    /// The CLR type of the method's first parameter (empty: none).
    member r.ParameterType =
        match r.Parameters with
        | p :: _ -> p
        | [] -> ""

/// The one declaration of every probe: the instrumenter picks runtime methods and value
/// probes from it, and a Shell test checks that the runtime's `Probe` has each method with
/// these parameters and writes the records `Writes` names.
[<RequireQualifiedAccess>]
module ProbeTable =
    /// The runtime's per-call handle that instrumented code keeps in a local: its
    /// thread's buffer and the frame's memory of the values it wrote.
    [<Literal>]
    let FrameType = "CodeTracer.Runtime.Frame"

    let private probe meth parameters writes =
        { RuntimeMethod = meth; Parameters = parameters; Returns = ""; Accepts = []; Writes = writes }

    let private value meth parameter accepts writes =
        { probe meth [ parameter ] writes with Accepts = accepts }

    /// At the start of a method body: returns the frame's handle (null while nothing is
    /// recorded), kept in a local; one value probe per argument follows.
    let enter = { probe "Enter" [ "System.Int32" ] (Record RecordTable.enter) with Returns = FrameType }
    /// Before the first instruction of every visible sequence point: ends the step, after
    /// the values of the step that may have changed (each announced by `at` or a fused probe).
    let step = probe "Step" [ FrameType; "System.Int32" ] (Record RecordTable.step)
    /// Before every `ret`, the return value still on the stack; its value probe follows.
    let ret = probe "Return" [ FrameType ] (Record RecordTable.ret)
    /// In a fault handler around the whole body (after the entry probes): an exception leaves the method.
    let unwind = probe "Unwind" [ FrameType ] (Record RecordTable.unwind)
    /// `--activation`: before Enter in the matching methods; starts recording at the first entry.
    let activate = probe "Activate" [] Nothing
    /// `--activation`: after Return in the matching methods; stops recording when the first entry returns.
    let deactivate = probe "Deactivate" [] Nothing
    /// A step's variable written in full (a full snapshot, a value the frame does not remember).
    let at = probe "At" [ "System.Int32" ] (Record RecordTable.at)

    let valInt =
        value "ValInt" "System.Int64"
            [ "System.SByte"; "System.Int16"; "System.Int32"; "System.Int64"; "System.Byte"; "System.UInt16"; "System.UInt32"; "System.IntPtr" ]
            (Record RecordTable.valInt)

    let valUInt = value "ValUInt" "System.UInt64" [ "System.UInt64"; "System.UIntPtr" ] (Record RecordTable.valUInt)
    let valDouble = value "ValDouble" "System.Double" [ "System.Double" ] (Record RecordTable.valDouble)
    let valSingle = value "ValSingle" "System.Single" [ "System.Single" ] (Record RecordTable.valSingle)
    let valBool = value "ValBool" "System.Boolean" [ "System.Boolean" ] (Record RecordTable.valBool)
    let valChar = value "ValChar" "System.Char" [ "System.Char" ] (Record RecordTable.valChar)
    let valString = value "ValString" "System.String" [ "System.String" ] (RecordOrNull RecordTable.valString)
    let valDecimal = value "ValDecimal" "System.Decimal" [ "System.Decimal" ] (Record RecordTable.valDecimal)
    /// Any other type, boxed (the value probe of no declared type in particular).
    let valObject = probe "ValObject" [ "System.Object" ] AnyValue
    /// `valObject` in a method whose filter redacts or drops fields: its field policy's id follows the value.
    let valObjectIn = probe "ValObjectIn" [ "System.Object"; "System.Int32" ] AnyValue
    /// A boxed value at a step: its site position, its frame place and field policy, and the
    /// frame; the runtime writes `at` and the value only when its bytes differ from what the
    /// frame last wrote for that place.
    let valObjectAt = probe "ValObjectAt" [ "System.Object"; "System.Int32"; "System.Int32"; "System.Int32"; FrameType ] (AtThen AnyValue)
    /// A state machine's result the filter redacts: written in its place.
    let valRedacted = probe "ValRedacted" [] (Record RecordTable.valRedacted)
    /// A state machine's result the filter drops: written in its place.
    let valDropped = probe "ValDropped" [] (Record RecordTable.valDropped)

    /// A primitive or string at a step, `at` and the value in one call with the frame's buffer:
    /// `(value, position, frame)`. Writes the same records as `at` then the value probe.
    let private fusedAt (value: ProbeRow) =
        probe (value.RuntimeMethod + "At") [ value.ParameterType; "System.Int32"; FrameType ] (AtThen value.Writes)

    let valIntAt = fusedAt valInt
    let valUIntAt = fusedAt valUInt
    let valDoubleAt = fusedAt valDouble
    let valSingleAt = fusedAt valSingle
    let valBoolAt = fusedAt valBool
    let valCharAt = fusedAt valChar
    let valStringAt = fusedAt valString

    /// The value probes the instrumenter picks by declared type, in the order they are tried.
    let private byType = [ valInt; valUInt; valDouble; valSingle; valBool; valChar; valString; valDecimal ]

    /// The fused step probe of a primitive or string value probe, if it has one.
    let atFor (value: ProbeRow) =
        [ valIntAt; valUIntAt; valDoubleAt; valSingleAt; valBoolAt; valCharAt; valStringAt ]
        |> List.tryFind (fun r -> r.RuntimeMethod = value.RuntimeMethod + "At")

    /// Every probe.
    let all =
        [ enter; step; ret; unwind; activate; deactivate; at ]
        @ byType
        @ [ valObject; valObjectIn; valObjectAt; valRedacted; valDropped
            valIntAt; valUIntAt; valDoubleAt; valSingleAt; valBoolAt; valCharAt; valStringAt ]

    /// The value probe for a declared CLR type (full name): the row that accepts it, else
    /// the boxing `valObject`.
    let valueProbeFor (clrFullName: string) =
        byType
        |> List.tryFind (fun r -> List.contains clrFullName r.Accepts)
        |> Option.defaultValue valObject
