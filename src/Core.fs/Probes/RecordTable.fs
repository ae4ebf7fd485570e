namespace CodeTracer.Core.Probes

/// A field of a record's payload, in the order written (little-endian).
type PayloadField =
    | U8
    | U16
    | I32
    | I64
    /// An int32 naming a runtime type its thread announced before by a TypeDef record.
    | TypeId
    /// `[int32 full length][int32 kept][kept UTF-16 code units]`.
    | Text
    /// Four int32 words, as `decimal.GetBits` returns them.
    | DecimalBits
    /// A nested value record (its own tag first).
    | NestedValue
    /// `count` nested value records, `count` read from the previous integer field.
    | NestedValues
    /// `count` texts (each as `Text`), `count` read from the previous integer field.
    | Texts

/// One kind of raw-log record: its tag byte and its payload's layout.
type RecordRow =
    { /// The name the reader, the docs and the runtime's `Tags` constant use.
      Name: string
      /// The first byte of the record.
      Tag: byte
      Payload: PayloadField list }

/// The one declaration of every record of the raw log. The decoder (`RawRecord`) reads each
/// record by its row's payload; the runtime (which may depend on nothing) writes them by
/// hand, and a Shell test checks it against these rows: its `Tags` constants by name and
/// value, its bytes by a round trip of generated records through its writers and the decoder.
[<RequireQualifiedAccess>]
module RecordTable =
    let private row name tag payload = { Name = name; Tag = tag; Payload = payload }

    /// A call starts: `[method id]`; the argument values follow.
    let enter = row "Enter" 1uy [ I32 ]
    /// A step ends: `[site id]`, after the values of the step that may have changed.
    let step = row "Step" 2uy [ I32 ]
    /// A call returns; the return value follows unless the method is void.
    let ret = row "Return" 3uy []
    /// Console IO: stream (0 stdout, 2 stderr, 3 stdin: what a read returned) then the text, never cut.
    let write = row "Write" 4uy [ U8; Text ]
    /// Announces a runtime type's full name under a per-thread id, right before the value that names it first.
    let typeDef = row "TypeDef" 5uy [ I32; Text ]
    /// The recorder failed inside the program and detached: the reason. Nothing follows.
    let detach = row "Detach" 6uy [ Text ]
    /// The program dies of an unhandled exception: its type and message.
    let fault = row "Fault" 7uy [ Text ]
    /// The program's exit handlers ran: what follows this record is nothing.
    let exit = row "Exit" 8uy []
    /// An exception leaves the method: `[int32 serial][text "Type: message"]`. The serial is
    /// the thread's throw count (each throw and rethrow is a new one), so the frames one
    /// throw unwinds share it.
    let unwind = row "Unwind" 9uy [ I32; Text ]
    /// Announces the field names of a runtime type read as a Struct, once per thread
    /// (right before its first Struct record): `[type id][count][count names]`.
    let fieldsDef = row "FieldsDef" 10uy [ I32; I32; Texts ]
    /// The value record that follows is the step's variable at this position of its site
    /// (`[uint16 position]`); a variable of the site without one kept its last value.
    let at = row "At" 11uy [ U16 ]

    let valNull = row "Null" 16uy []
    let valInt = row "Int" 17uy [ I64 ]
    let valUInt = row "UInt" 18uy [ I64 ]
    /// The double's bits.
    let valDouble = row "Double" 19uy [ I64 ]
    /// The float's bits.
    let valSingle = row "Single" 20uy [ I32 ]
    let valBool = row "Bool" 21uy [ U8 ]
    let valChar = row "Char" 22uy [ U16 ]
    /// Cut at max_string; the full length tells the reader how much was cut.
    let valString = row "String" 23uy [ Text ]
    let valDecimal = row "Decimal" 24uy [ DecimalBits ]
    /// `[type][total count][kept count][kept values]`.
    let valSequence = row "Sequence" 25uy [ TypeId; I32; I32; NestedValues ]
    /// A value not read (a delegate, a task, a stream...): `[type]`.
    let valRaw = row "Raw" 26uy [ TypeId ]
    /// `[type][underlying bits][member name(s)]`.
    let valEnum = row "Enum" 27uy [ TypeId; I64; Text ]
    /// A boxed primitive: `[type]` then the primitive's own record.
    let valBoxed = row "Boxed" 28uy [ TypeId; NestedValue ]
    /// A class, struct or record read field by field: `[type][count][values]`, the names
    /// announced by the type's FieldsDef.
    let valStruct = row "Struct" 29uy [ TypeId; I32; NestedValues ]
    /// ValueTuple/Tuple, a dictionary entry: `[type][count][values]`.
    let valTuple = row "Tuple" 30uy [ TypeId; I32; NestedValues ]
    /// An F# union case: `[type][case name][count][field values]`.
    let valVariant = row "Variant" 31uy [ TypeId; Text; I32; NestedValues ]
    /// BigInteger, Int128, UInt128: `[type][negative][base64 of the big-endian magnitude]`.
    let valBigInt = row "BigInt" 32uy [ TypeId; U8; Text ]
    /// A value not read, with a description (`<cycle>`, `<depth limit>`): `[type][text]`.
    let valRawText = row "RawText" 33uy [ TypeId; Text ]
    /// A field, entry or result the method's filter redacts: never read, shown as `<redacted>`.
    let valRedacted = row "Redacted" 34uy []
    /// A field, entry or result the method's filter drops: never read, shown as `<dropped>`.
    let valDropped = row "Dropped" 35uy []

    /// Every record, in tag order.
    let all =
        [ enter; step; ret; write; typeDef; detach; fault; exit; unwind; fieldsDef; at
          valNull; valInt; valUInt; valDouble; valSingle; valBool; valChar; valString; valDecimal
          valSequence; valRaw; valEnum; valBoxed; valStruct; valTuple; valVariant; valBigInt; valRawText; valRedacted; valDropped ]
