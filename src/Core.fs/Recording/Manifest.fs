namespace CodeTracer.Core.Recording

/// How the converter obtains a variable's value at run time.
type Capture =
    /// The runtime writes one value record for this variable.
    | Read
    /// Never read at run time (a kind the runtime cannot read safely, such as a
    /// ref struct or a pointer): shown as a Raw with this text.
    | Fixed of text: string
    /// A filter redacts it: never read, shown as `Error "<redacted>"` of type `Redacted`.
    | Redacted
    /// A filter drops a return value: never read, shown as `Raw "<dropped>"`
    /// (dropped arguments and locals are left out of the manifest altogether).
    | Dropped
    /// The return of a state machine's `MoveNext` (an async method or an iterator
    /// resuming): the runtime writes an Int marker, `0` for a suspension at `await`
    /// (shown as `Raw "<await>"`) or `1` for completion without a value
    /// (`Raw "<completed>"`), or, boxed, the yielded value or the async method's
    /// result (shown as itself).
    | Resumed

/// What the converter needs to know to show a value of the declared type.
type Shape =
    /// Shown as the raw value says.
    | Plain
    /// An enum read as its underlying integer: shown by member name.
    | EnumOf of members: (string * int64) array * isFlags: bool

/// One variable shown at a probe: an argument, `this`, a local or a return value.
type VariableSlot =
    { /// The source name (`this` for the receiver).
      Name: string
      /// The declared type as C# shows it (`int`, `List<string>`, `Shop.Cart`).
      TypeName: string
      Shape: Shape
      Capture: Capture
      /// The variable's place in its frame's memory, -1 for none. A step writes only the
      /// values that may have changed since the frame last wrote them; a value it does not
      /// write is the frame's last one of this place. Slots that read the same storage
      /// (an argument at entry and at every step) share their place.
      Frame: int }

/// A method the instrumenter put probes into.
type MethodEntry =
    { /// The display name, `Demo.Program.Sum(int)`.
      Name: string
      /// Index into `Manifest.Paths`.
      PathId: int
      /// The definition line: the line of the method's first sequence point.
      Line: int
      /// Arguments in order, `this` first for instance methods; a lambda's or local
      /// function's captured variables follow its parameters, a state machine's
      /// `MoveNext` has its user method's (hoisted) arguments.
      Args: VariableSlot array
      /// The return value slot; ignored when `IsVoid`.
      Return: VariableSlot
      IsVoid: bool }

/// A sequence point with a step probe.
type SiteEntry =
    { MethodId: int
      PathId: int
      Line: int
      /// Every variable visible here, in the order the probe writes them.
      Variables: VariableSlot array }

/// What instrumentation produced: the tables the raw log's ids point into.
type Manifest =
    { /// Absolute source paths; their order is the trace's PathId order.
      Paths: string array
      Methods: MethodEntry array
      Sites: SiteEntry array }

/// Helpers for building manifests.
[<RequireQualifiedAccess>]
module Manifest =
    /// A manifest with nothing instrumented.
    let empty = { Paths = [||]; Methods = [||]; Sites = [||] }

    /// The `void` return slot.
    let voidReturn =
        { Name = "<return_value>"; TypeName = "void"; Shape = Plain; Capture = Fixed "void"; Frame = -1 }
