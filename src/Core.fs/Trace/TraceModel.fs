namespace CodeTracer.Core.Trace

/// Type kinds of the trace format (shared/spec/trace-format.md), by number.
[<RequireQualifiedAccess>]
module TypeKind =
    [<Literal>]
    let Seq = 0
    [<Literal>]
    let Set = 1
    [<Literal>]
    let Array = 4
    [<Literal>]
    let Struct = 6
    [<Literal>]
    let Int = 7
    [<Literal>]
    let Float = 8
    [<Literal>]
    let String = 9
    [<Literal>]
    let Char = 11
    [<Literal>]
    let Bool = 12
    [<Literal>]
    let Raw = 16
    [<Literal>]
    let Enum = 17
    [<Literal>]
    let Error = 24
    [<Literal>]
    let Tuple = 27
    [<Literal>]
    let Variant = 28
    [<Literal>]
    let None = 30

/// Event kinds of `Event` records (IO and errors), by number.
[<RequireQualifiedAccess>]
module EventKind =
    [<Literal>]
    let Write = 0
    [<Literal>]
    let WriteOther = 2
    [<Literal>]
    let Read = 3
    [<Literal>]
    let Error = 11

/// Extra information of a registered type.
type TypeSpecificInfo =
    | NoInfo
    | StructInfo of fields: (string * int) list
    | PointerInfo of dereferenceTypeId: int

/// A recorded value (the `V` of the trace format); every case carries its type id.
type ValueRecord =
    | Int of i: int64 * typeId: int
    /// A number too large for 64 bits: base64 of the big-endian magnitude.
    | BigInt of magnitudeBase64: string * negative: bool * typeId: int
    /// Floats travel as text so that they keep round-trip precision.
    | Float of f: string * typeId: int
    | Bool of b: bool * typeId: int
    | String of text: string * typeId: int
    | Char of c: string * typeId: int
    | Sequence of elements: ValueRecord list * isSlice: bool * typeId: int
    | Tuple of elements: ValueRecord list * typeId: int
    | Struct of fieldValues: ValueRecord list * typeId: int
    | Variant of discriminator: string * contents: ValueRecord * typeId: int
    | Raw of r: string * typeId: int
    | Error of msg: string * typeId: int
    | NoneValue of typeId: int

/// One element of trace.json.
type TraceEvent =
    | Path of path: string
    | Function of pathId: int * line: int * name: string
    | Type of kind: int * langType: string * specific: TypeSpecificInfo
    | VariableName of name: string
    | Call of functionId: int * args: (int * ValueRecord) list
    | Step of pathId: int * line: int
    | Value of variableId: int * value: ValueRecord
    | Return of returnValue: ValueRecord
    | IoEvent of kind: int * metadata: string * content: string
    | ThreadStart of threadId: int64
    | ThreadSwitch of threadId: int64
    | ThreadExit of threadId: int64
    | DropLastStep
