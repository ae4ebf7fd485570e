namespace CodeTracer.Core.Trace

open Microsoft.FSharp.Core.CompilerServices
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// One open call on a thread.
type Frame =
    { MethodId: int
      /// The Call's arguments, repeated when the frame is re-entered after a thread switch.
      Args: (int * ValueRecord) list
      /// Line and site of the frame's last step, to merge the sequence points of one line.
      LastLine: int
      LastSite: int
      /// False once anything but values followed the last step (a call, output).
      Mergeable: bool
      /// Steps (with their values) this frame made while frames above it were still
      /// open: an exception filter (`when`) runs before the frames between the throw and
      /// its handler unwind. Written when the frame is on top again.
      Deferred: TraceEvent list
      /// The last value written for each of the frame's places (`VariableSlot.Frame`),
      /// null where none was: a step shows it for every variable it does not write.
      /// Never changed in place: a step that writes values makes a new array.
      Known: ValueRecord array }

/// What the next value records of a thread belong to.
type Expectation =
    | Idle
    | EnterArgs of methodId: int * remaining: int list * got: (int * ValueRecord) list
    /// Values of the coming step, each at its site position, newest first; `position` is
    /// the position an `At` announced whose value comes next, -1 when none.
    | StepValues of position: int * got: (int * RawValue) list
    | ReturnValue of methodId: int

/// A step whose values are not written yet: a later sequence point on the same
/// line replaces them. The entry step is written before its Call (`Written`),
/// its values after it.
type PendingStep = { Step: TraceEvent; Written: bool; Values: TraceEvent list }

/// One thread's conversion state.
type ThreadState =
    { Stack: Frame list
      Expect: Expectation
      Pending: PendingStep option
      /// The throw serial of the thread's last Unwind: the frames one throw unwinds
      /// share it, and only the first of them carries the Error event.
      LastUnwound: int option }

/// The whole conversion state, threaded through `Conversion.feed`.
type ConversionState =
    { Manifest: Manifest
      /// Variable id of each manifest variable name; `<return_value>` included.
      VariableIds: Map<string, int>
      /// Type id of each method's argument slots, of each site's variable slots, of each return slot.
      ArgTypes: int array array
      SiteTypes: int array array
      ReturnTypes: int array
      /// Variable id of each slot, by the same indices (looked up once, not per value).
      ArgVars: int array array
      SiteVars: int array array
      /// Indices of the slots the runtime writes a value for, by method.
      ArgReads: int list array
      /// The number of places of each method's frame memory.
      FrameSizes: int array
      Types: TypeRegistry
      /// The threads not running now; the running one is `Active`.
      Threads: Map<int64, ThreadState>
      Current: int64 option
      Active: ThreadState
      /// The threads whose open calls are on the loader's one call stack, the top one
      /// first; each has all its frames there, in one block. The running thread's block is
      /// always on top. The frames of a thread not listed are suspended: left by
      /// `<thread switch>` returns, re-entered when the thread runs again.
      Loader: int64 list
      /// Records that did not fit the protocol (ignored, counted).
      Anomalies: int
      /// Why the runtime detached, once it did: later records are ignored.
      Detached: string option
      /// Unhandled exceptions the program died of.
      Faults: string list
      /// The program's exit handlers ran (it was not killed or failed fast).
      CleanExit: bool }

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
      InnerDrops: int64 }

/// Raw records (per thread, in log order) to trace events, following the
/// loader's rules of shared/spec/trace-format.md.
[<RequireQualifiedAccess>]
module Conversion =
    [<Literal>]
    let ReturnValueName = "<return_value>"

    /// The type of the `<await>` and `<completed>` markers a state machine returns.
    let ResumptionTypeName = "<resumption>"

    let private emptyThread = { Stack = []; Expect = Idle; Pending = None; LastUnwound = None }

    let private slotKey (slot: VariableSlot) = slot.Name

    /// Indices of the slots that the runtime writes a value for.
    let private readSlots (slots: VariableSlot array) =
        [ for i in 0 .. slots.Length - 1 do
              if slots.[i].Capture = Read then yield i ]

    /// The places of each method's frame memory: one more than the highest place its
    /// arguments and sites use.
    let private frameSizes (manifest: Manifest) =
        let sizes = manifest.Methods |> Array.map (fun m -> 1 + (m.Args |> Array.fold (fun acc a -> max acc a.Frame) -1))
        for site in manifest.Sites do
            for v in site.Variables do
                sizes.[site.MethodId] <- max sizes.[site.MethodId] (v.Frame + 1)
        sizes

    /// The registrations that open a trace, the `<toplevel>` call and its step,
    /// and the initial state. Function 0 is `<toplevel>`; manifest method `m` is function `m + 1`.
    let start (manifest: Manifest) : ConversionState * TraceEvent list =
        let allSlots =
            [ for m in manifest.Methods do
                  yield! m.Args
                  yield m.Return
              for s in manifest.Sites do
                  yield! s.Variables ]
        let names =
            (allSlots |> List.map slotKey) @ [ ReturnValueName ] |> List.distinct
        let variableIds = names |> List.mapi (fun i n -> n, i) |> Map.ofList
        let mutable reg = ValueConversion.initialRegistry
        let typeEvents = ResizeArray()
        let typeOf (slot: VariableSlot) =
            let id, reg', evs = ValueConversion.register (ValueConversion.kindOfDeclared slot.TypeName slot.Shape) slot.TypeName reg
            reg <- reg'
            typeEvents.AddRange evs
            id
        let argTypes = manifest.Methods |> Array.map (fun m -> m.Args |> Array.map typeOf)
        let returnTypes = manifest.Methods |> Array.map (fun m -> if m.IsVoid then 0 else typeOf m.Return)
        let siteTypes = manifest.Sites |> Array.map (fun s -> s.Variables |> Array.map typeOf)
        let varsOf (slots: VariableSlot array) = slots |> Array.map (fun slot -> variableIds.[slotKey slot])
        let header =
            [ for p in manifest.Paths -> Path p
              yield Type(TypeKind.None, "None", NoInfo)
              yield! typeEvents
              yield Function(0, 1, "<toplevel>")
              for m in manifest.Methods -> Function(m.PathId, m.Line, m.Name)
              for n in names -> VariableName n
              yield Call(0, [])
              yield Step(0, 1) ]
        { Manifest = manifest
          VariableIds = variableIds
          ArgTypes = argTypes
          SiteTypes = siteTypes
          ReturnTypes = returnTypes
          ArgVars = manifest.Methods |> Array.map (fun m -> varsOf m.Args)
          SiteVars = manifest.Sites |> Array.map (fun s -> varsOf s.Variables)
          ArgReads = manifest.Methods |> Array.map (fun m -> readSlots m.Args)
          FrameSizes = frameSizes manifest
          Types = reg
          Threads = Map.empty
          Current = None
          Active = emptyThread
          Loader = []
          Anomalies = 0
          Detached = None
          Faults = []
          CleanExit = false },
        header

    /// The events of a pending step not written yet.
    let private pendingEvents (pending: PendingStep option) : TraceEvent list =
        match pending with
        | None -> []
        | Some p -> if p.Written then p.Values else p.Step :: p.Values

    let private flushPending (t: ThreadState) : ThreadState * TraceEvent list =
        match t.Pending with
        | None -> t, []
        | Some _ -> { t with Pending = None }, pendingEvents t.Pending

    let private withTop (f: Frame -> Frame) (t: ThreadState) =
        match t.Stack with
        | top :: rest -> { t with Stack = f top :: rest }
        | [] -> t

    /// The value of a slot the runtime never reads: its fixed text, `<redacted>` or `<dropped>`.
    let private unreadValue (slot: VariableSlot) (reg: TypeRegistry) : ValueRecord option * TypeRegistry * TraceEvent list =
        let some (v, reg', evs) = Some v, reg', evs
        match slot.Capture with
        | Read
        | Resumed -> None, reg, []
        | Fixed text ->
            let id, reg', evs = ValueConversion.register TypeKind.Raw slot.TypeName reg
            Some(Raw(text, id)), reg', evs
        | Redacted -> some (ValueConversion.redacted reg)
        | Dropped -> some (ValueConversion.dropped reg)

    /// All slots' values once the read ones are in: unread slots get their fixed value.
    /// A loop rather than closures over mutable locals: this runs at every call and step.
    let private completeSlots (state: ConversionState) (slots: VariableSlot array) (typeIds: int array) (varIds: int array) (got: (int * ValueRecord) list) =
        let read: ValueRecord array = Array.zeroCreate slots.Length
        for i, v in got do
            read.[i] <- v
        let mutable reg = state.Types
        let mutable events = []
        // Registrations in slot order, so type ids come in the same order as before.
        for i in 0 .. slots.Length - 1 do
            match slots.[i].Capture with
            | Read | Resumed -> ()
            | _ ->
                match unreadValue slots.[i] reg with
                | Some v, reg', evs ->
                    reg <- reg'
                    events <- events @ evs
                    read.[i] <- v
                | None, _, _ -> ()
        let mutable values = []
        for i in slots.Length - 1 .. -1 .. 0 do
            let v = if obj.ReferenceEquals(read.[i], null) then NoneValue typeIds.[i] else read.[i]
            values <- (varIds.[i], v) :: values
        values, (if obj.ReferenceEquals(reg, state.Types) then state else { state with Types = reg }), events

    // The record that completes an expectation, once all its values are in.
    let private complete (state: ConversionState) (t: ThreadState) : struct (ConversionState * ThreadState * TraceEvent list) =
        match t.Expect with
        | EnterArgs(m, [], got) ->
            let meth = state.Manifest.Methods.[m]
            let args, state, typeEvs = completeSlots state meth.Args state.ArgTypes.[m] state.ArgVars.[m] got
            let t, flushed = flushPending t
            let t = t |> withTop (fun f -> { f with Mergeable = false })
            let known: ValueRecord array = Array.zeroCreate state.FrameSizes.[m]
            for i, v in got do
                let place = meth.Args.[i].Frame
                if place >= 0 then known.[place] <- v
            let frame = { MethodId = m; Args = args; LastLine = meth.Line; LastSite = -1; Mergeable = true; Deferred = []; Known = known }
            let entry = Step(meth.PathId, meth.Line)
            struct (state,
                    { t with Stack = frame :: t.Stack; Expect = Idle; Pending = Some { Step = entry; Written = true; Values = [] } },
                    flushed @ typeEvs @ [ entry; Call(m + 1, args) ])
        | _ -> struct (state, t, [])

    /// The values of a step of site `s` in the frame `owner`: those the step wrote
    /// (position and raw value, newest first), converted and kept in the frame's memory,
    /// and for every other read variable the frame's last value of its place.
    let private stepValues (state: ConversionState) (s: int) (owner: Frame) (written: (int * RawValue) list) =
        let site = state.Manifest.Sites.[s]
        let mutable reg = state.Types
        let mutable typeEvents = []
        let mutable known = owner.Known
        let mutable anomalies = 0
        let read: ValueRecord array = Array.zeroCreate site.Variables.Length
        for pos, raw in List.rev written do
            if pos < site.Variables.Length && site.Variables.[pos].Capture = Read then
                let slot = site.Variables.[pos]
                let v, reg', evs = ValueConversion.convert slot.TypeName state.SiteTypes.[s].[pos] slot.Shape raw reg
                reg <- reg'
                if not evs.IsEmpty then typeEvents <- typeEvents @ evs
                read.[pos] <- v
                if slot.Frame >= 0 && slot.Frame < known.Length then
                    if obj.ReferenceEquals(known, owner.Known) then known <- Array.copy owner.Known
                    known.[slot.Frame] <- v
            else
                anomalies <- anomalies + 1
        let mutable got = []
        for i in site.Variables.Length - 1 .. -1 .. 0 do
            let slot = site.Variables.[i]
            if slot.Capture = Read then
                if not (obj.ReferenceEquals(read.[i], null)) then got <- (i, read.[i]) :: got
                elif slot.Frame >= 0 && slot.Frame < known.Length && not (obj.ReferenceEquals(known.[slot.Frame], null)) then
                    got <- (i, known.[slot.Frame]) :: got
                else
                    // Never written in this frame: the runtime's protocol was broken.
                    anomalies <- anomalies + 1
        let state = if obj.ReferenceEquals(reg, state.Types) && anomalies = 0 then state else { state with Types = reg; Anomalies = state.Anomalies + anomalies }
        let values, state, slotEvents = completeSlots state site.Variables state.SiteTypes.[s] state.SiteVars.[s] got
        values, known, state, typeEvents @ slotEvents

    /// A step of site `s` on a thread with open calls, with the values it wrote.
    let private completeStep (state: ConversionState) (t: ThreadState) (s: int) (written: (int * RawValue) list) : struct (ConversionState * ThreadState * TraceEvent list) =
        let site = state.Manifest.Sites.[s]
        let t = { t with Expect = Idle }
        match t.Stack with
        | top :: rest when top.MethodId <> site.MethodId && rest |> List.exists (fun f -> f.MethodId = site.MethodId) ->
            // A step of an outer frame (the nearest of its method) while the frames above
            // it are open: an exception filter. It is shown in that frame, not in the thrower's.
            let owner = rest |> List.find (fun f -> f.MethodId = site.MethodId)
            let values, known, state, typeEvs = stepValues state s owner written
            let valueEvents = values |> List.map Value
            let rec defer (frames: Frame list) =
                match frames with
                | f :: more when f.MethodId = site.MethodId ->
                    { f with Deferred = f.Deferred @ (Step(site.PathId, site.Line) :: valueEvents); Known = known } :: more
                | f :: more -> f :: defer more
                | [] -> []
            struct (state, { t with Stack = top :: defer rest }, typeEvs)
        | top :: rest ->
            let values, known, state, typeEvs = stepValues state s top written
            let valueEvents = values |> List.map Value
            if top.Mergeable && top.LastLine = site.Line && s > top.LastSite then
                // Another sequence point of the same line: one step, the latest values.
                let top' = { top with LastSite = s; Known = known }
                let pending = t.Pending |> Option.map (fun p -> { p with Values = valueEvents })
                struct (state, { t with Stack = top' :: rest; Pending = pending }, typeEvs)
            else
                // A new step (the common case): the thread's state is built once.
                let top' = { top with LastLine = site.Line; LastSite = s; Mergeable = true; Known = known }
                let pending = Some { Step = Step(site.PathId, site.Line); Written = false; Values = valueEvents }
                struct (state, { t with Stack = top' :: rest; Pending = pending }, pendingEvents t.Pending @ typeEvs)
        | [] -> struct (state, t, [])

    let private returnEvents (state: ConversionState) (t: ThreadState) (value: ValueRecord) =
        let t, flushed = flushPending t
        let t = { t with Stack = List.tail t.Stack; Expect = Idle } |> withTop (fun f -> { f with Mergeable = false })
        // The caller's filter steps, made while this frame was unwinding, come now.
        let replayed, t =
            match t.Stack with
            | top :: rest when not top.Deferred.IsEmpty -> top.Deferred, { t with Stack = { top with Deferred = [] } :: rest }
            | _ -> [], t
        t, flushed @ [ Value(state.VariableIds.[ReturnValueName], value); Return value ] @ replayed

    /// A record out of protocol: counted and ignored; the values of a step it interrupts are dropped.
    let private anomaly (state: ConversionState) (t: ThreadState) =
        let t = match t.Expect with StepValues _ -> { t with Expect = Idle } | _ -> t
        struct ({ state with Anomalies = state.Anomalies + 1 }, t, [])

    // The running thread's state is passed apart from `state` (whose `Active` is stale
    // meanwhile): `feed` stores it once per chunk instead of copying the state per record.
    let private feedRecord (state: ConversionState) (t: ThreadState) (tid: int64) (record: RawRecord) : struct (ConversionState * ThreadState * TraceEvent list) =
        let withTypes reg = if obj.ReferenceEquals(reg, state.Types) then state else { state with Types = reg }
        let after (st: ConversionState) (t': ThreadState) evs =
            let struct (st2, t2, evs2) = complete st t'
            struct (st2, t2, evs @ evs2)
        match record, t.Expect with
        | _ when state.Detached.IsSome -> struct (state, t, [])
        | RExit, _ -> struct ({ state with CleanExit = true }, t, [])
        | RDetach reason, _ ->
            let t, flushed = flushPending t
            struct ({ state with Detached = Some reason }, { t with Expect = Idle }, flushed)
        | RFault description, _ ->
            let t, flushed = flushPending t
            let metadata = sprintf "{\"thread\":%d}" tid
            struct ({ state with Faults = state.Faults @ [ description ] },
                    { t with Expect = Idle },
                    flushed @ [ IoEvent(EventKind.Error, metadata, "Unhandled exception: " + description) ])
        | RUnwind(serial, description), Idle when not t.Stack.IsEmpty ->
            // An exception leaves the running frame: the Error event once per throw
            // (on the step it left from), then the frame returns `<unwind> Type: message`.
            let t, flushed = flushPending t
            let error =
                if t.LastUnwound = Some serial then []
                else [ IoEvent(EventKind.Error, sprintf "{\"thread\":%d}" tid, description) ]
            let typeName =
                match description.IndexOf(": ", System.StringComparison.Ordinal) with
                | i when i > 0 -> description.Substring(0, i)
                | _ -> "Exception"
            let id, reg, typeEvs = ValueConversion.register TypeKind.Error typeName state.Types
            let t', revs = returnEvents state { t with LastUnwound = Some serial } (ValueRecord.Error("<unwind> " + description, id))
            struct (withTypes reg, t', flushed @ error @ typeEvs @ revs)
        | REnter m, Idle when m >= 0 && m < state.Manifest.Methods.Length ->
            after state { t with Expect = EnterArgs(m, state.ArgReads.[m], []) } []
        | RAt position, Idle -> struct (state, { t with Expect = StepValues(position, []) }, [])
        | RAt position, StepValues(-1, got) -> struct (state, { t with Expect = StepValues(position, got) }, [])
        | RValue raw, StepValues(position, got) when position >= 0 ->
            struct (state, { t with Expect = StepValues(-1, (position, raw) :: got) }, [])
        | RStep s, (Idle | StepValues(-1, _)) when s >= 0 && s < state.Manifest.Sites.Length && not t.Stack.IsEmpty ->
            let written = match t.Expect with StepValues(_, got) -> got | _ -> []
            completeStep state t s written
        | RStep _, StepValues(-1, _) ->
            // A step of a frame the recording did not enter (no open call): its values go with it.
            struct (state, { t with Expect = Idle }, [])
        | RReturn, Idle ->
            match t.Stack with
            | [] -> anomaly state t
            | top :: _ when state.Manifest.Methods.[top.MethodId].IsVoid ->
                let t', evs = returnEvents state t (NoneValue ValueConversion.noneTypeId)
                struct (state, t', evs)
            | top :: _ ->
                match unreadValue state.Manifest.Methods.[top.MethodId].Return state.Types with
                | Some v, reg, evs ->
                    let t', revs = returnEvents state t v
                    struct (withTypes reg, t', evs @ revs)
                | None, _, _ -> struct (state, { t with Expect = ReturnValue top.MethodId }, [])
        | RWrite(stream, text), Idle ->
            let t, flushed = flushPending t
            let t = t |> withTop (fun f -> { f with Mergeable = false })
            let kind, name =
                match stream with
                | 2uy -> EventKind.WriteOther, "stderr"
                | 3uy -> EventKind.Read, "stdin"
                | _ -> EventKind.Write, "stdout"
            let metadata = sprintf "{\"stream\":\"%s\",\"thread\":%d}" name tid
            struct (state, t, flushed @ [ IoEvent(kind, metadata, text) ])
        | RValue raw, EnterArgs(m, i :: rest, got) ->
            let slot = state.Manifest.Methods.[m].Args.[i]
            let v, reg, evs = ValueConversion.convert slot.TypeName state.ArgTypes.[m].[i] slot.Shape raw state.Types
            after (withTypes reg) { t with Expect = EnterArgs(m, rest, (i, v) :: got) } evs
        | RValue raw, ReturnValue m ->
            let slot = state.Manifest.Methods.[m].Return
            let v, reg, evs =
                match slot.Capture, raw with
                | Resumed, RInt marker ->
                    let text = if marker = 0L then "<await>" else "<completed>"
                    let id, reg, evs = ValueConversion.register TypeKind.Raw ResumptionTypeName state.Types
                    Raw(text, id), reg, evs
                // A state machine's result its filter hides: a return value, not counted as a field's.
                | Resumed, RRedacted -> ValueConversion.redacted state.Types
                | Resumed, RDropped -> ValueConversion.dropped state.Types
                | _ -> ValueConversion.convert slot.TypeName state.ReturnTypes.[m] slot.Shape raw state.Types
            let t', revs = returnEvents state t v
            struct (withTypes reg, t', evs @ revs)
        | _ -> anomaly state t

    /// The return value of a frame left because another thread runs.
    let SwitchTypeName = "<thread switch>"

    /// `Value <return_value>` and `Return` for each of a thread's frames, top first.
    let private leaveFrames (state: ConversionState) (value: ValueRecord) (t: ThreadState) =
        t.Stack |> List.collect (fun _ -> [ Value(state.VariableIds.[ReturnValueName], value); Return value ])

    /// Another thread's chunk: the running thread's pending step is written (where it
    /// belongs: in that thread's frame, before the switch), then the
    /// loader's stack is made the new thread's: the blocks above its own are left
    /// (`<thread switch>` returns, under their thread's marker), or, when its frames are
    /// not on the stack, they are re-entered (their entry step and Call, with the
    /// arguments they were called with) on top.
    let private switchTo (state: ConversionState) (threadId: int64) : ConversionState * TraceEvent list =
        let flushed, parked =
            match state.Current with
            | Some c ->
                let t, flushed = flushPending state.Active
                flushed, Map.add c t state.Threads
            | None -> [], state.Threads
        let marker, active =
            match Map.tryFind threadId parked with
            | Some t -> ThreadSwitch threadId, t
            | None -> ThreadStart threadId, emptyThread
        let state = { state with Threads = Map.remove threadId parked; Current = Some threadId; Active = active }
        if List.contains threadId state.Loader then
            let above = state.Loader |> List.takeWhile (fun x -> x <> threadId)
            let leaving = above |> List.choose (fun x -> match Map.tryFind x parked with Some t when not t.Stack.IsEmpty -> Some(x, t) | _ -> None)
            if leaving.IsEmpty then
                { state with Loader = List.skipWhile (fun x -> x <> threadId) state.Loader }, flushed @ [ marker ]
            else
                let id, reg, typeEvs = ValueConversion.register TypeKind.Raw SwitchTypeName state.Types
                let value = Raw(SwitchTypeName, id)
                let pops = leaving |> List.collect (fun (x, t) -> ThreadSwitch x :: leaveFrames state value t)
                { state with Types = reg; Loader = List.skipWhile (fun x -> x <> threadId) state.Loader },
                flushed @ typeEvs @ pops @ [ marker ]
        else
            let entries =
                active.Stack
                |> List.rev
                |> List.collect (fun f ->
                    let meth = state.Manifest.Methods.[f.MethodId]
                    [ Step(meth.PathId, meth.Line); Call(f.MethodId + 1, f.Args) ])
            { state with Loader = threadId :: state.Loader }, flushed @ (marker :: entries)

    /// Where a thread is, said again after another thread's events: a Step at its top
    /// frame's last line, so its values, output and return values attach to its own step.
    /// It is the pending step (already written): a later sequence point of the same line
    /// merges into it.
    let private restate (state: ConversionState) : ConversionState * TraceEvent list =
        match state.Active.Stack with
        | [] -> state, []
        | top :: _ ->
            let path =
                if top.LastSite >= 0 then state.Manifest.Sites.[top.LastSite].PathId
                else state.Manifest.Methods.[top.MethodId].PathId
            let step = Step(path, top.LastLine)
            { state with Active = { state.Active with Pending = Some { Step = step; Written = true; Values = [] } } }, [ step ]

    /// Feeds one thread's decoded records (one chunk) into the conversion.
    let feed (state: ConversionState) (threadId: int64) (records: RawRecord list) : ConversionState * TraceEvent list =
        // Once detached nothing more is written, not even a switch.
        let records = if state.Detached.IsSome then [] else records
        let state, switch =
            match state.Current with
            | _ when state.Detached.IsSome -> state, []
            | Some c when c = threadId -> state, []
            | _ ->
                let state, switched = switchTo state threadId
                let state, restated = restate state
                state, switched @ restated
        let mutable st = state
        let mutable t = state.Active
        // Appends at the end without reversing the events (the cons cells are completed in place).
        let mutable events = ListCollector<TraceEvent>()
        events.AddMany switch
        for r in records do
            let struct (st', t', evs) = feedRecord st t threadId r
            st <- st'
            t <- t'
            for e in evs do
                events.Add e
        { st with Active = t }, events.Close()

    /// Ends the conversion: pending steps are written, and when every call
    /// returned, `<toplevel>` returns the exit code.
    let finish (state: ConversionState) (exitCode: int) : ConversionEnd =
        let threads =
            match state.Current with
            | Some c -> Map.add c state.Active state.Threads
            | None -> state.Threads
        let flushed =
            threads
            |> Map.toList
            |> List.collect (fun (tid, t) ->
                match flushPending t with
                | _, [] -> []
                | _, evs -> ThreadSwitch tid :: evs)
        let balanced = threads |> Map.forall (fun _ t -> t.Stack.IsEmpty && t.Expect = Idle)
        let closing, balanced =
            match state.Detached with
            | Some _ ->
                // Detached: what the open calls returned is unknown; each says so,
                // and so does `<toplevel>`, so the trace stays balanced.
                let rawId, _, typeEvs = ValueConversion.register TypeKind.Raw "<disabled>" state.Types
                let disabled = Raw("<disabled>", rawId)
                // Only the frames on the loader's stack are left, top block first (the suspended
                // ones were left already).
                let returns =
                    state.Loader
                    |> List.collect (fun tid ->
                        match Map.tryFind tid threads with
                        | Some t when not t.Stack.IsEmpty -> ThreadSwitch tid :: leaveFrames state disabled t
                        | _ -> [])
                typeEvs @ returns @ [ Return disabled ], true
            | None when balanced ->
                let id, _, evs = ValueConversion.register TypeKind.Int "int" state.Types
                evs @ [ Return(Int(int64 exitCode, id)) ], true
            | None -> [], false
        { Events = flushed @ closing
          Balanced = balanced
          Anomalies = state.Anomalies
          Detached = state.Detached
          Faults = state.Faults
          CleanExit = state.CleanExit
          InnerRedactions = state.Types.InnerRedactions
          InnerDrops = state.Types.InnerDrops }
