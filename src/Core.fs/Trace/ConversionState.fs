namespace CodeTracer.Core.Trace

open System.Collections.Generic
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// One open call on a thread. Changed in place by the conversion that owns it.
[<Sealed; AllowNullLiteral>]
type Frame(methodId: int, args: (int * ValueRecord) list, line: int, known: ValueRecord array) =
    member _.MethodId = methodId
    /// The Call's arguments, repeated when the frame is re-entered after a thread switch.
    member _.Args = args
    /// Line and site of the frame's last step, to merge the sequence points of one line.
    member val LastLine = line with get, set
    member val LastSite = -1 with get, set
    /// False once anything but values followed the last step (a call, output).
    member val Mergeable = true with get, set
    /// Steps (with their values) this frame made while frames above it were still
    /// open: an exception filter (`when`) runs before the frames between the throw and
    /// its handler unwind. Written when the frame is on top again.
    member val Deferred: TraceEvent list = [] with get, set
    /// The last value written for each of the frame's places (`VariableSlot.Frame`),
    /// null where none was: a step shows it for every variable it does not write.
    member _.Known = known
    /// The `Value` event last shown for each place: a step re-emits the same event object
    /// while the place keeps its value, so it allocates nothing for it and the encoders
    /// can reuse its encoded bytes.
    member val KnownEvents: TraceEvent array = Array.zeroCreate known.Length

/// What the next value records of a thread belong to.
type Expectation =
    | Idle
    | EnterArgs of methodId: int * remaining: int list * got: (int * ValueRecord) list
    /// Values of the coming step: in the thread's `Written`, its `Position` the position an
    /// `At` announced whose value comes next (-1 when none).
    | StepValues
    | ReturnValue of methodId: int

/// One thread's conversion state, changed in place.
[<Sealed; AllowNullLiteral>]
type ThreadState() =
    member val Stack: Frame list = [] with get, set
    member val Expect = Idle with get, set
    /// The position of the step value that comes next, -1 when none (`StepValues` only).
    member val Position = -1 with get, set
    /// The coming step's values, each at its site position, oldest first.
    member val Written = ResizeArray<struct (int * RawValue)>()
    /// A step whose values are not written yet (null: none): a later sequence point on
    /// the same line replaces them. The entry step is written before its Call
    /// (`PendingWritten`), its values after it.
    member val PendingStep: TraceEvent = Unchecked.defaultof<TraceEvent> with get, set
    member val PendingWritten = false with get, set
    member val PendingValues = ResizeArray<TraceEvent>()
    /// The throw serial of the thread's last Unwind: the frames one throw unwinds
    /// share it, and only the first of them carries the Error event.
    member val LastUnwound: int option = None with get, set

/// The whole conversion state: a mutable object that `Conversion.feed` changes in place, so
/// that a step allocates only for the values that changed. One conversion owns it.
type ConversionState =
    { Manifest: Manifest
      /// Variable id of each manifest variable name; `<return_value>` included.
      VariableIds: Map<string, int>
      ReturnValueId: int
      /// Type id of each method's argument slots, of each site's variable slots, of each return slot.
      ArgTypes: int array array
      SiteTypes: int array array
      ReturnTypes: int array
      /// The kind of each declared type (`ValueConversion.kindOfDeclared`), by the same indices.
      ArgKinds: int array array
      SiteKinds: int array array
      ReturnKinds: int array
      /// Variable id of each slot, by the same indices (looked up once, not per value).
      ArgVars: int array array
      SiteVars: int array array
      /// Indices of the slots the runtime writes a value for, by method.
      ArgReads: int list array
      /// The number of places of each method's frame memory.
      FrameSizes: int array
      /// Each site's Step event and each method's entry step, made once.
      SiteSteps: TraceEvent array
      EntrySteps: TraceEvent array
      /// The values of slots the runtime never reads (fixed text, redacted, dropped, resumed),
      /// made at their first use (which registers their types) and the same ever after:
      /// each site's `Value` events and each method's argument values; null until made.
      SiteConstants: TraceEvent array array
      ArgConstants: ValueRecord array array
      mutable Types: TypeRegistry
      /// Every thread seen; the running one is also `Active`.
      Threads: Dictionary<int64, ThreadState>
      mutable Current: int64 option
      mutable Active: ThreadState
      /// Where each thread's events go in the trace (`ThreadLayout`).
      Layout: Layout
      /// The events of the running thread's chunk, before they are laid out.
      Chunk: ResizeArray<TraceEvent>
      /// Records that did not fit the protocol (ignored, counted).
      mutable Anomalies: int
      /// Why the runtime detached, once it did: later records are ignored.
      mutable Detached: string option
      /// Unhandled exceptions the program died of.
      mutable Faults: string list
      /// The program's exit handlers ran (it was not killed or failed fast).
      mutable CleanExit: bool
      /// The thread of the first chunk: the one that ran `Main` (null before any chunk).
      mutable First: ThreadState
      /// Scratch of one record: the values a step or call reads by slot, the step's Value
      /// events, and the Type events registered meanwhile (they come before the step's).
      Read: ValueRecord array
      StepEvents: ResizeArray<TraceEvent>
      TypeEvents: ResizeArray<TraceEvent> }

/// How a conversion ended.
type ConversionEnd =
    { Events: TraceEvent list
      /// True when every call returned and `<toplevel>` got its return.
      Balanced: bool
      Anomalies: int
      Detached: string option
      Faults: string list
      CleanExit: bool
      /// Fields and dictionary entries the runtime redacted and dropped (`TypeRegistry`).
      InnerRedactions: int64
      InnerDrops: int64
      /// Calls written again after a thread switch (not calls of the program).
      Reentries: int64 }

