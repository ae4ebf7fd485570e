namespace CodeTracer.Core.Trace

open System.Collections.Generic
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// Raw records (per thread, in log order) to trace events, following the
/// loader's rules of shared/spec/trace-format.md. `ConversionStart` opens a
/// conversion, `feed` converts each chunk, `finish` ends it.
[<RequireQualifiedAccess>]
module Conversion =
    let private isNull (x: 'T) = obj.ReferenceEquals(x, null)

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
            StepValues.stepValues state s owner written
            owner.Deferred <- owner.Deferred @ (state.SiteSteps.[s] :: List.ofSeq state.StepEvents)
            out.AddRange state.TypeEvents
        | top :: _ ->
            state.TypeEvents.Clear()
            StepValues.stepValues state s top written
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
            let args = StepValues.argValues state m got
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
            let id = StepValues.registerType state TypeKind.Error typeName
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
                match StepValues.unreadValue state state.Manifest.Methods.[top.MethodId].Return with
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
            let v = StepValues.convertValue state state.Manifest.Methods.[m].Args.[i] state.ArgKinds.[m].[i] state.ArgTypes.[m].[i] raw
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
                    Raw(text, StepValues.registerType state TypeKind.Raw Markers.ResumptionTypeName)
                // A state machine's result its filter hides: a return value, not counted as a field's.
                | Resumed, RRedacted -> StepValues.withTypes state (ValueConversion.redacted state.Types)
                | Resumed, RDropped -> StepValues.withTypes state (ValueConversion.dropped state.Types)
                | _ -> StepValues.convertValue state slot state.ReturnKinds.[m] state.ReturnTypes.[m] raw
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
            let value = Raw(text, StepValues.registerType state TypeKind.Raw text)
            out.AddRange state.TypeEvents
            value
        let exitValue () =
            state.TypeEvents.Clear()
            let id = StepValues.registerType state TypeKind.Int "int"
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
