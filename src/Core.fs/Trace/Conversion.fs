namespace CodeTracer.Core.Trace

open System.Collections.Generic
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// Raw records (per thread, in log order) to trace events, following the
/// loader's rules of shared/spec/trace-format.md.
[<RequireQualifiedAccess>]
module Conversion =
    [<Literal>]
    let ReturnValueName = "<return_value>"

    /// The type of the `<await>` and `<completed>` markers a state machine returns.
    let ResumptionTypeName = "<resumption>"

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

    let private isNull (x: 'T) = obj.ReferenceEquals(x, null)

    /// The return value of a frame left because another thread runs.
    let SwitchTypeName = "<thread switch>"

    /// The registrations that open a trace, the `<toplevel>` call and its step,
    /// and the initial state. Function 0 is `<toplevel>`; manifest method `m` is function `m + 1`.
    /// `holdLimit`: how many events of other threads may wait (`ThreadLayout`).
    let startWith (holdLimit: int) (manifest: Manifest) : ConversionState * TraceEvent list =
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
        let kindOf (slot: VariableSlot) = ValueConversion.kindOfDeclared slot.TypeName slot.Shape
        let typeOf (slot: VariableSlot) =
            let id, reg', evs = ValueConversion.register (kindOf slot) slot.TypeName reg
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
        // The `<thread switch>` value, its type registered at first use (the registry then
        // in the state, reached through this cell).
        let types = ref Unchecked.defaultof<ConversionState>
        let switchValue (out: ResizeArray<TraceEvent>) =
            let id, reg, evs = ValueConversion.register TypeKind.Raw SwitchTypeName types.Value.Types
            types.Value.Types <- reg
            out.AddRange evs
            Raw(SwitchTypeName, id)
        let widest =
            Seq.append (manifest.Sites |> Seq.map (fun s -> s.Variables.Length)) (manifest.Methods |> Seq.map (fun m -> m.Args.Length))
            |> Seq.fold max 0
        { Manifest = manifest
          VariableIds = variableIds
          ReturnValueId = variableIds.[ReturnValueName]
          ArgTypes = argTypes
          SiteTypes = siteTypes
          ReturnTypes = returnTypes
          ArgKinds = manifest.Methods |> Array.map (fun m -> m.Args |> Array.map kindOf)
          SiteKinds = manifest.Sites |> Array.map (fun s -> s.Variables |> Array.map kindOf)
          ReturnKinds = manifest.Methods |> Array.map (fun m -> kindOf m.Return)
          ArgVars = manifest.Methods |> Array.map (fun m -> varsOf m.Args)
          SiteVars = manifest.Sites |> Array.map (fun s -> varsOf s.Variables)
          ArgReads = manifest.Methods |> Array.map (fun m -> readSlots m.Args)
          FrameSizes = frameSizes manifest
          SiteSteps = manifest.Sites |> Array.map (fun s -> Step(s.PathId, s.Line))
          EntrySteps = manifest.Methods |> Array.map (fun m -> Step(m.PathId, m.Line))
          SiteConstants = manifest.Sites |> Array.map (fun s -> Array.zeroCreate s.Variables.Length)
          ArgConstants = manifest.Methods |> Array.map (fun m -> Array.zeroCreate m.Args.Length)
          Types = reg
          Threads = Dictionary()
          Current = None
          Active = ThreadState()
          Layout = ThreadLayout.create holdLimit variableIds.[ReturnValueName] switchValue
          Chunk = ResizeArray()
          Anomalies = 0
          Detached = None
          Faults = []
          CleanExit = false
          First = null
          Read = Array.zeroCreate widest
          StepEvents = ResizeArray()
          TypeEvents = ResizeArray() }
        |> fun state ->
            types.Value <- state
            state, header

    /// `startWith` the default hold limit.
    let start (manifest: Manifest) : ConversionState * TraceEvent list = startWith ThreadLayout.DefaultHoldLimit manifest

    /// Writes a thread's pending step, if any, and forgets it.
    let private flushPending (t: ThreadState) (out: ResizeArray<TraceEvent>) : unit =
        if not (isNull t.PendingStep) then
            if not t.PendingWritten then out.Add t.PendingStep
            out.AddRange t.PendingValues
            t.PendingStep <- Unchecked.defaultof<TraceEvent>
            t.PendingValues.Clear()

    /// Makes `step` the thread's pending step with the values of `values`.
    let private setPending (t: ThreadState) (step: TraceEvent) (written: bool) (values: ResizeArray<TraceEvent>) : unit =
        t.PendingStep <- step
        t.PendingWritten <- written
        t.PendingValues.Clear()
        if not (isNull values) then t.PendingValues.AddRange values

    let private notMergeable (t: ThreadState) =
        match t.Stack with
        | top :: _ -> top.Mergeable <- false
        | [] -> ()

    /// Registers a type, its Type event (when new) going to `state.TypeEvents`.
    let private registerType (state: ConversionState) (kind: int) (name: string) : int =
        let id, reg, evs = ValueConversion.register kind name state.Types
        state.Types <- reg
        state.TypeEvents.AddRange evs
        id

    /// A raw value of a slot as a trace value; new types' events go to `state.TypeEvents`.
    let private convertValue (state: ConversionState) (slot: VariableSlot) (kind: int) (typeId: int) (raw: RawValue) : ValueRecord =
        let v, reg, evs = ValueConversion.convertDeclared kind slot.TypeName typeId slot.Shape raw state.Types
        state.Types <- reg
        if not evs.IsEmpty then state.TypeEvents.AddRange evs
        v

    /// A value made with a registry: the registry kept, its new types' events to `state.TypeEvents`.
    let private withTypes (state: ConversionState) (v: ValueRecord, reg: TypeRegistry, evs: TraceEvent list) : ValueRecord =
        state.Types <- reg
        state.TypeEvents.AddRange evs
        v

    /// The value of a slot the runtime never reads: its fixed text, `<redacted>` or `<dropped>`
    /// (None for read and resumed slots); new types' events go to `state.TypeEvents`.
    let private unreadValue (state: ConversionState) (slot: VariableSlot) : ValueRecord option =
        match slot.Capture with
        | Read
        | Resumed -> None
        | Fixed text -> Some(Raw(text, registerType state TypeKind.Raw slot.TypeName))
        | Redacted -> Some(withTypes state (ValueConversion.redacted state.Types))
        | Dropped -> Some(withTypes state (ValueConversion.dropped state.Types))

    /// A method's argument values once the read ones (`got`) are in: unread slots get their
    /// fixed value, slots without a value `None`.
    let private argValues (state: ConversionState) (m: int) (got: (int * ValueRecord) list) : (int * ValueRecord) list =
        let slots = state.Manifest.Methods.[m].Args
        let constants = state.ArgConstants.[m]
        let read = state.Read
        System.Array.Clear(read, 0, slots.Length)
        for i, v in got do
            read.[i] <- v
        // Registrations in slot order, so type ids come in the same order as before.
        for i in 0 .. slots.Length - 1 do
            match slots.[i].Capture with
            | Read | Resumed -> ()
            | _ ->
                if isNull constants.[i] then
                    match unreadValue state slots.[i] with
                    | Some v -> constants.[i] <- v
                    | None -> ()
                read.[i] <- constants.[i]
        let typeIds = state.ArgTypes.[m]
        let varIds = state.ArgVars.[m]
        let mutable values = []
        for i in slots.Length - 1 .. -1 .. 0 do
            let v = if isNull read.[i] then NoneValue typeIds.[i] else read.[i]
            values <- (varIds.[i], v) :: values
        values

    /// The `Value` event of a read slot showing `v`, the one the frame showed last for the
    /// place when it shows the same value object.
    let private knownEvent (owner: Frame) (place: int) (varId: int) (v: ValueRecord) : TraceEvent =
        let last = owner.KnownEvents.[place]
        let same =
            not (isNull last)
            && (match last with
                | Value(id, shown) -> id = varId && obj.ReferenceEquals(shown, v)
                | _ -> false)
        if same then last
        else
            let e = Value(varId, v)
            owner.KnownEvents.[place] <- e
            e

    /// The values of a step of site `s` in the frame `owner`, as `Value` events into
    /// `state.StepEvents`: those the step wrote (`written`, oldest first), converted and kept
    /// in the frame's memory, and for every other read variable the frame's last value of
    /// its place. New types' events go to `state.TypeEvents`.
    let private stepValues (state: ConversionState) (s: int) (owner: Frame) (written: ResizeArray<struct (int * RawValue)>) : unit =
        let vars = state.Manifest.Sites.[s].Variables
        let typeIds = state.SiteTypes.[s]
        let varIds = state.SiteVars.[s]
        let known = owner.Known
        let read = state.Read
        System.Array.Clear(read, 0, vars.Length)
        let mutable anomalies = 0
        for k in 0 .. written.Count - 1 do
            let struct (pos, raw) = written.[k]
            if pos < vars.Length && (match vars.[pos].Capture with Read -> true | _ -> false) then
                let slot = vars.[pos]
                let v = convertValue state slot state.SiteKinds.[s].[pos] typeIds.[pos] raw
                read.[pos] <- v
                if slot.Frame >= 0 && slot.Frame < known.Length then known.[slot.Frame] <- v
            else
                anomalies <- anomalies + 1
        let constants = state.SiteConstants.[s]
        let events = state.StepEvents
        events.Clear()
        for i in 0 .. vars.Length - 1 do
            let slot = vars.[i]
            match slot.Capture with
            | Read ->
                let place = slot.Frame
                let inFrame = place >= 0 && place < known.Length
                if not (isNull read.[i]) then
                    events.Add(if inFrame && obj.ReferenceEquals(known.[place], read.[i]) then knownEvent owner place varIds.[i] read.[i] else Value(varIds.[i], read.[i]))
                elif inFrame && not (isNull known.[place]) then
                    events.Add(knownEvent owner place varIds.[i] known.[place])
                else
                    // Never written in this frame: the runtime's protocol was broken.
                    anomalies <- anomalies + 1
                    events.Add(Value(varIds.[i], NoneValue typeIds.[i]))
            | _ ->
                // Registered at first use, in slot order after the step's written values.
                if isNull constants.[i] then
                    let v = match unreadValue state slot with Some v -> v | None -> NoneValue typeIds.[i]
                    constants.[i] <- Value(varIds.[i], v)
                events.Add constants.[i]
        state.Anomalies <- state.Anomalies + anomalies

    /// A step of site `s` on a thread with open calls, with the values it wrote.
    let private completeStep (state: ConversionState) (t: ThreadState) (s: int) (written: ResizeArray<struct (int * RawValue)>) (out: ResizeArray<TraceEvent>) : unit =
        let site = state.Manifest.Sites.[s]
        t.Expect <- Idle
        match t.Stack with
        | top :: rest when top.MethodId <> site.MethodId && rest |> List.exists (fun f -> f.MethodId = site.MethodId) ->
            // A step of an outer frame (the nearest of its method) while the frames above
            // it are open: an exception filter. It is shown in that frame, not in the thrower's.
            let owner = rest |> List.find (fun f -> f.MethodId = site.MethodId)
            state.TypeEvents.Clear()
            stepValues state s owner written
            owner.Deferred <- owner.Deferred @ (state.SiteSteps.[s] :: List.ofSeq state.StepEvents)
            out.AddRange state.TypeEvents
        | top :: _ ->
            state.TypeEvents.Clear()
            stepValues state s top written
            if top.Mergeable && top.LastLine = site.Line && s > top.LastSite then
                // Another sequence point of the same line: one step, the latest values.
                top.LastSite <- s
                if not (isNull t.PendingStep) then setPending t t.PendingStep t.PendingWritten state.StepEvents
                out.AddRange state.TypeEvents
            else
                // A new step (the common case).
                top.LastLine <- site.Line
                top.LastSite <- s
                top.Mergeable <- true
                flushPending t out
                out.AddRange state.TypeEvents
                setPending t state.SiteSteps.[s] false state.StepEvents
        | [] -> ()

    // The record that completes an expectation, once all its values are in.
    let private complete (state: ConversionState) (t: ThreadState) (out: ResizeArray<TraceEvent>) : unit =
        match t.Expect with
        | EnterArgs(m, [], got) ->
            let meth = state.Manifest.Methods.[m]
            state.TypeEvents.Clear()
            let args = argValues state m got
            flushPending t out
            notMergeable t
            let known: ValueRecord array = Array.zeroCreate state.FrameSizes.[m]
            for i, v in got do
                let place = meth.Args.[i].Frame
                if place >= 0 then known.[place] <- v
            let entry = state.EntrySteps.[m]
            t.Stack <- Frame(m, args, meth.Line, known) :: t.Stack
            t.Expect <- Idle
            setPending t entry true null
            out.AddRange state.TypeEvents
            out.Add entry
            out.Add(Call(m + 1, args))
        | _ -> ()

    /// Leaves the running frame with `value`: its pending step, `<return_value>`, the
    /// Return, and then the caller's filter steps made while it was unwinding.
    let private returnWith (state: ConversionState) (t: ThreadState) (value: ValueRecord) (out: ResizeArray<TraceEvent>) : unit =
        flushPending t out
        t.Stack <- List.tail t.Stack
        t.Expect <- Idle
        notMergeable t
        out.Add(Value(state.ReturnValueId, value))
        out.Add(Return value)
        match t.Stack with
        | top :: _ when not top.Deferred.IsEmpty ->
            out.AddRange top.Deferred
            top.Deferred <- []
        | _ -> ()

    /// A record out of protocol: counted and ignored; the values of a step it interrupts are dropped.
    let private anomaly (state: ConversionState) (t: ThreadState) =
        if t.Expect = StepValues then t.Expect <- Idle
        state.Anomalies <- state.Anomalies + 1

    /// Converts one record of the running thread `t`, its events appended to `out`.
    let private feedRecord (state: ConversionState) (t: ThreadState) (tid: int64) (record: RawRecord) (out: ResizeArray<TraceEvent>) : unit =
        match record, t.Expect with
        | _ when state.Detached.IsSome -> ()
        | RExit, _ -> state.CleanExit <- true
        | RDetach reason, _ ->
            flushPending t out
            state.Detached <- Some reason
            t.Expect <- Idle
        | RFault description, _ ->
            flushPending t out
            state.Faults <- state.Faults @ [ description ]
            t.Expect <- Idle
            out.Add(IoEvent(EventKind.Error, sprintf "{\"thread\":%d}" tid, "Unhandled exception: " + description))
        | RUnwind(serial, description), Idle when not t.Stack.IsEmpty ->
            // An exception leaves the running frame: the Error event once per throw
            // (on the step it left from), then the frame returns `<unwind> Type: message`.
            flushPending t out
            if t.LastUnwound <> Some serial then
                out.Add(IoEvent(EventKind.Error, sprintf "{\"thread\":%d}" tid, description))
            let typeName =
                match description.IndexOf(": ", System.StringComparison.Ordinal) with
                | i when i > 0 -> description.Substring(0, i)
                | _ -> "Exception"
            state.TypeEvents.Clear()
            let id = registerType state TypeKind.Error typeName
            out.AddRange state.TypeEvents
            t.LastUnwound <- Some serial
            returnWith state t (ValueRecord.Error("<unwind> " + description, id)) out
        | REnter m, Idle when m >= 0 && m < state.Manifest.Methods.Length ->
            t.Expect <- EnterArgs(m, state.ArgReads.[m], [])
            complete state t out
        | RAt position, Idle ->
            t.Expect <- StepValues
            t.Position <- position
            t.Written.Clear()
        | RAt position, StepValues when t.Position = -1 -> t.Position <- position
        | RValue raw, StepValues when t.Position >= 0 ->
            t.Written.Add(struct (t.Position, raw))
            t.Position <- -1
        | RStep s, Idle when s >= 0 && s < state.Manifest.Sites.Length && not t.Stack.IsEmpty ->
            t.Written.Clear()
            completeStep state t s t.Written out
        | RStep s, StepValues when t.Position = -1 && s >= 0 && s < state.Manifest.Sites.Length && not t.Stack.IsEmpty ->
            completeStep state t s t.Written out
        | RStep _, StepValues when t.Position = -1 ->
            // A step of a frame the recording did not enter (no open call): its values go with it.
            t.Expect <- Idle
        | RReturn, Idle ->
            match t.Stack with
            | [] -> anomaly state t
            | top :: _ when state.Manifest.Methods.[top.MethodId].IsVoid ->
                returnWith state t (NoneValue ValueConversion.noneTypeId) out
            | top :: _ ->
                state.TypeEvents.Clear()
                match unreadValue state state.Manifest.Methods.[top.MethodId].Return with
                | Some v ->
                    out.AddRange state.TypeEvents
                    returnWith state t v out
                | None -> t.Expect <- ReturnValue top.MethodId
        | RWrite(stream, text), Idle ->
            flushPending t out
            notMergeable t
            let kind, name =
                match stream with
                | 2uy -> EventKind.WriteOther, "stderr"
                | 3uy -> EventKind.Read, "stdin"
                | _ -> EventKind.Write, "stdout"
            out.Add(IoEvent(kind, sprintf "{\"stream\":\"%s\",\"thread\":%d}" name tid, text))
        | RValue raw, EnterArgs(m, i :: rest, got) ->
            state.TypeEvents.Clear()
            let v = convertValue state state.Manifest.Methods.[m].Args.[i] state.ArgKinds.[m].[i] state.ArgTypes.[m].[i] raw
            out.AddRange state.TypeEvents
            t.Expect <- EnterArgs(m, rest, (i, v) :: got)
            complete state t out
        | RValue raw, ReturnValue m ->
            let slot = state.Manifest.Methods.[m].Return
            state.TypeEvents.Clear()
            let v =
                match slot.Capture, raw with
                | Resumed, RInt marker ->
                    let text = if marker = 0L then "<await>" else "<completed>"
                    Raw(text, registerType state TypeKind.Raw ResumptionTypeName)
                // A state machine's result its filter hides: a return value, not counted as a field's.
                | Resumed, RRedacted -> withTypes state (ValueConversion.redacted state.Types)
                | Resumed, RDropped -> withTypes state (ValueConversion.dropped state.Types)
                | _ -> convertValue state slot state.ReturnKinds.[m] state.ReturnTypes.[m] raw
            out.AddRange state.TypeEvents
            returnWith state t v out
        | _ -> anomaly state t

    /// Where a thread is, said again after another thread's events: a Step at its top
    /// frame's last line, so its values, output and return values attach to its own step.
    /// It is the pending step (already written): a later sequence point of the same line
    /// merges into it.
    let private restate (state: ConversionState) (out: ResizeArray<TraceEvent>) : unit =
        match state.Active.Stack with
        | [] -> ()
        | top :: _ ->
            let path =
                if top.LastSite >= 0 then state.Manifest.Sites.[top.LastSite].PathId
                else state.Manifest.Methods.[top.MethodId].PathId
            let step = Step(path, top.LastLine)
            setPending state.Active step true null
            out.Add step

    /// Feeds one thread's decoded records (one chunk) into the conversion, which changes
    /// in place; the events that can be written now are appended to `out` (`ThreadLayout`:
    /// another thread's may wait).
    let feed (state: ConversionState) (threadId: int64) (records: RawRecord list) (out: ResizeArray<TraceEvent>) : unit =
        // Once detached nothing more is written, not even a switch.
        if state.Detached.IsNone then
            let chunk = state.Chunk
            chunk.Clear()
            if state.Current <> Some threadId then
                // The running thread's pending step is written where it belongs: in its frame,
                // before the other thread's events.
                match state.Current with
                | Some previous ->
                    flushPending state.Active chunk
                    ThreadLayout.place state.Layout previous chunk out
                    chunk.Clear()
                | None -> ()
                let active =
                    match state.Threads.TryGetValue threadId with
                    | true, t -> t
                    | _ ->
                        let t = ThreadState()
                        state.Threads.[threadId] <- t
                        if isNull state.First then state.First <- t
                        t
                state.Current <- Some threadId
                state.Active <- active
                // A marker in the thread's own events: the layout writes it even when the
                // thread wrote last, so that readers know the Step after it says again where
                // the thread is (it is not a step of the program).
                if not active.Stack.IsEmpty then chunk.Add(ThreadSwitch threadId)
                restate state chunk
            let t = state.Active
            for r in records do
                feedRecord state t threadId r chunk
            ThreadLayout.place state.Layout threadId chunk out
            chunk.Clear()

    /// Ends the conversion: pending steps and the events still waiting are written, and
    /// when every call returned, `<toplevel>` returns the exit code (after a step of its own
    /// when an Error event is on the last step: a test run whose last test failed did not
    /// end in error). `captureStopped`: the runtime stopped capturing at max_trace_size, so
    /// the calls still open (and `<toplevel>`) return `Raw "<truncated>"` and the trace
    /// stays balanced, as after a detach. After the program called `Exit(n)` (the exit handlers ran
    /// while the first thread was in its calls), the calls still open return
    /// `Raw "<exit n>"` and `<toplevel>` returns n.
    let finishCapture (captureStopped: bool) (state: ConversionState) (exitCode: int) : ConversionEnd =
        let threads = state.Threads |> Seq.sortBy (fun kv -> kv.Key) |> Seq.toList
        let out = ResizeArray()
        let chunk = state.Chunk
        for kv in threads do
            let t = kv.Value
            if not (isNull t.PendingStep) && (not t.PendingWritten || t.PendingValues.Count > 0) then
                chunk.Clear()
                // Marked: the pending step of a thread, written last, is where it stopped.
                chunk.Add(ThreadSwitch kv.Key)
                flushPending t chunk
                ThreadLayout.place state.Layout kv.Key chunk out
        chunk.Clear()
        ThreadLayout.drain state.Layout out
        let balanced = threads |> List.forall (fun kv -> kv.Value.Stack.IsEmpty && kv.Value.Expect = Idle)
        let rawValue (text: string) =
            state.TypeEvents.Clear()
            let value = Raw(text, registerType state TypeKind.Raw text)
            out.AddRange state.TypeEvents
            value
        let exitValue () =
            state.TypeEvents.Clear()
            let id = registerType state TypeKind.Int "int"
            out.AddRange state.TypeEvents
            Int(int64 exitCode, id)
        // What the open calls returned is unknown; each says why, and so does `<toplevel>`,
        // so the trace stays balanced.
        let closeWith (text: string) =
            ThreadLayout.close state.Layout (rawValue text) out
            out.Add(Return(rawValue text))
            true
        let balanced =
            match state.Detached with
            | Some _ -> closeWith "<disabled>"
            | None when captureStopped -> closeWith "<truncated>"
            // The exit handlers ran (on a thread of their own) while the thread that ran `Main`
            // was still in its calls: the program called `Exit` (a normal end returns from `Main` first).
            | None when state.CleanExit && state.Faults.IsEmpty && not (isNull state.First) && not state.First.Stack.IsEmpty ->
                ThreadLayout.close state.Layout (rawValue (sprintf "<exit %d>" exitCode)) out
                out.Add(Return(exitValue ()))
                true
            | None when balanced ->
                if state.Layout.ErrorAtLastStep then out.Add(Step(0, 1))
                out.Add(Return(exitValue ()))
                true
            | None -> false
        { Events = List.ofSeq out
          Balanced = balanced
          Anomalies = state.Anomalies
          Detached = state.Detached
          Faults = state.Faults
          CleanExit = state.CleanExit
          InnerRedactions = state.Types.InnerRedactions
          InnerDrops = state.Types.InnerDrops
          Reentries = state.Layout.Reentries }

    /// Ends a conversion whose capture ran to the program's end (see <see cref="finishCapture"/>).
    let finish (state: ConversionState) (exitCode: int) : ConversionEnd = finishCapture false state exitCode
