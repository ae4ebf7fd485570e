namespace CodeTracer.Core.Trace

open System.Collections.Generic

/// A call of a thread written and not returned yet.
[<Sealed>]
type OpenCall(entry: TraceEvent, call: TraceEvent) =
    /// Its entry step and Call: what re-enters it after it was left.
    member _.Entry = entry
    member _.Call = call
    /// Its last Step written: what says again where the thread is.
    member val Last = entry with get, set

/// One thread's place in the trace: what of its events is written, what waits.
[<Sealed; AllowNullLiteral>]
type Lane(threadId: int64) =
    member _.ThreadId = threadId
    /// Its ThreadStart is written.
    member val Started = false with get, set
    /// Its calls written and not returned yet, top first.
    member val Open: OpenCall list = [] with get, set
    /// Its open calls are on the loader's stack, in one block (false: none, or suspended).
    member val Placed = false with get, set
    /// The thread waits for the others (its open calls run nothing): another thread's
    /// outermost call may go on top of them.
    member val Idle = false with get, set
    /// The last Step written for the thread (the entry step of its next Call).
    member val LastStep: TraceEvent = Unchecked.defaultof<TraceEvent> with get, set
    /// Events not written yet, in order, from `HeldFrom` on.
    member val Held = ResizeArray<TraceEvent>()
    member val HeldFrom = 0 with get, set
    member this.Holding = this.Held.Count > this.HeldFrom

/// How the threads' events are laid out for a loader with one call stack (see
/// docs/design.md, "Threads"): a thread writes while its calls are the top of the stack;
/// the others' events wait and are written at its outermost boundaries (its calls all
/// returned), or on top of its open calls when it waits. Only when too much waits are
/// a thread's calls left (`<thread switch>` returns) and re-entered later. Changed in place.
type Layout =
    { Lanes: Dictionary<int64, Lane>
      /// The threads whose open calls are on the loader's stack, the top block first.
      mutable Blocks: Lane list
      /// The thread whose marker was written last (null: none yet).
      mutable Writing: Lane
      /// The threads with events waiting, in the order they began to wait.
      Waiting: ResizeArray<Lane>
      /// Events waiting, over every thread.
      mutable HeldCount: int
      /// Past this many waiting events, the oldest waiting thread writes anyway.
      HoldLimit: int
      ReturnValueId: int
      /// The `<thread switch>` value; new types' events to the list given.
      SwitchValue: ResizeArray<TraceEvent> -> ValueRecord
      /// Calls written again after a thread switch, and `<thread switch>` returns.
      mutable Reentries: int64
      mutable SwitchReturns: int64
      /// An Error event follows the last Step written.
      mutable ErrorAtLastStep: bool
      /// The last event written is a thread marker.
      mutable JustMarked: bool }

[<RequireQualifiedAccess>]
module ThreadLayout =
    /// Events that may wait before their thread writes again (over all threads): enough
    /// for a few tests per worker of a parallel test run, little memory (~10 MB).
    [<Literal>]
    let DefaultHoldLimit = 65536

    let create (holdLimit: int) (returnValueId: int) (switchValue: ResizeArray<TraceEvent> -> ValueRecord) : Layout =
        { Lanes = Dictionary()
          Blocks = []
          Writing = null
          Waiting = ResizeArray()
          HeldCount = 0
          HoldLimit = holdLimit
          ReturnValueId = returnValueId
          SwitchValue = switchValue
          Reentries = 0L
          SwitchReturns = 0L
          ErrorAtLastStep = false
          JustMarked = false }

    let private laneOf (layout: Layout) (threadId: int64) : Lane =
        match layout.Lanes.TryGetValue threadId with
        | true, lane -> lane
        | _ ->
            let lane = Lane(threadId)
            layout.Lanes.[threadId] <- lane
            lane

    /// The lane may write now without leaving or re-entering another thread's calls: nothing
    /// is open, its calls are on top, or it starts an outermost call over a waiting thread.
    let private mayWrite (layout: Layout) (lane: Lane) : bool =
        match layout.Blocks with
        | [] -> true
        | top :: _ -> obj.ReferenceEquals(top, lane) || (lane.Open.IsEmpty && top.Idle)

    /// The marker of the lane, when another thread wrote last (or `always`, unless it is
    /// the last event written).
    let private marker (layout: Layout) (lane: Lane) (always: bool) (out: ResizeArray<TraceEvent>) : unit =
        if (always && not layout.JustMarked) || not (obj.ReferenceEquals(layout.Writing, lane)) then
            out.Add(if lane.Started then ThreadSwitch lane.ThreadId else ThreadStart lane.ThreadId)
            lane.Started <- true
            layout.Writing <- lane
            layout.JustMarked <- true

    /// Before a lane writes `next`: its marker, its suspended calls re-entered on top (each
    /// its entry step and Call with the arguments it was called with), and, after another
    /// thread's events, a Step where it is (so that its values, output and return values
    /// attach to its own step), unless `next` is the conversion's mark before one.
    let private begin' (layout: Layout) (lane: Lane) (next: TraceEvent) (out: ResizeArray<TraceEvent>) : unit =
        let switched = not (obj.ReferenceEquals(layout.Writing, lane))
        marker layout lane false out
        lane.Idle <- false
        if not lane.Open.IsEmpty && not lane.Placed then
            for c in List.rev lane.Open do
                out.Add c.Entry
                out.Add c.Call
                layout.Reentries <- layout.Reentries + 1L
            lane.Placed <- true
            layout.Blocks <- lane :: layout.Blocks
        match lane.Open, next with
        | _, ThreadSwitch _ -> ()
        | top :: _, _ when switched -> out.Add top.Last
        | _ -> ()

    /// Leaves the calls of the top block's thread (`<thread switch>` returns): suspended
    /// until it writes again.
    let private leaveTop (layout: Layout) (out: ResizeArray<TraceEvent>) : unit =
        match layout.Blocks with
        | top :: rest ->
            let value = layout.SwitchValue out
            marker layout top false out
            for _ in top.Open do
                out.Add(Value(layout.ReturnValueId, value))
                out.Add(Return value)
                layout.SwitchReturns <- layout.SwitchReturns + 1L
                layout.JustMarked <- false
            top.Placed <- false
            layout.Blocks <- rest
        | [] -> ()

    /// Writes one event of the lane; true when it ends the lane's outermost call.
    let private write (layout: Layout) (lane: Lane) (e: TraceEvent) (out: ResizeArray<TraceEvent>) : bool =
        match e with
        | ThreadSwitch _ ->
            // The conversion's mark before a restated step: the lane's marker, once.
            marker layout lane true out
            false
        | _ ->
        layout.JustMarked <- false
        out.Add e
        match e with
        | Step _ ->
            lane.LastStep <- e
            match lane.Open with
            | top :: _ -> top.Last <- e
            | [] -> ()
            layout.ErrorAtLastStep <- false
            false
        | Call _ ->
            if lane.Open.IsEmpty then
                lane.Placed <- true
                layout.Blocks <- lane :: layout.Blocks
            lane.Open <- OpenCall(lane.LastStep, e) :: lane.Open
            false
        | Return _ ->
            match lane.Open with
            | [ _ ] ->
                lane.Open <- []
                lane.Placed <- false
                layout.Blocks <- List.tail layout.Blocks
                true
            | _ :: rest ->
                lane.Open <- rest
                false
            | [] -> false
        | IoEvent(kind, _, _) when kind = EventKind.Error ->
            layout.ErrorAtLastStep <- true
            false
        | _ -> false

    /// Lets the events from `start` wait (types are registered at once: their ids follow
    /// the order of their Type events).
    let private hold (layout: Layout) (lane: Lane) (events: ResizeArray<TraceEvent>) (start: int) (out: ResizeArray<TraceEvent>) : unit =
        for i in start .. events.Count - 1 do
            match events.[i] with
            | Type _ as e -> out.Add e
            | e ->
                lane.Held.Add e
                layout.HeldCount <- layout.HeldCount + 1
        if lane.Holding && not (layout.Waiting.Contains lane) then layout.Waiting.Add lane

    let private othersWait (layout: Layout) (lane: Lane) =
        layout.Waiting.Count > 1 || (layout.Waiting.Count = 1 && not (obj.ReferenceEquals(layout.Waiting.[0], lane)))

    /// Writes `events` from `start` for the lane, up to its first outermost boundary where
    /// another thread waits; returns where it stopped.
    let private writeRun (layout: Layout) (lane: Lane) (events: ResizeArray<TraceEvent>) (start: int) (out: ResizeArray<TraceEvent>) : int =
        if start < events.Count then begin' layout lane events.[start] out
        let mutable i = start
        let mutable stop = false
        while i < events.Count && not stop do
            let ended = write layout lane events.[i] out
            i <- i + 1
            if ended && othersWait layout lane then stop <- true
        i

    /// Writes what the lane holds, up to its first outermost boundary where another waits.
    let private flush (layout: Layout) (lane: Lane) (out: ResizeArray<TraceEvent>) : unit =
        layout.Waiting.Remove lane |> ignore
        let stop = writeRun layout lane lane.Held lane.HeldFrom out
        layout.HeldCount <- layout.HeldCount - (stop - lane.HeldFrom)
        if stop >= lane.Held.Count then
            lane.Held.Clear()
            lane.HeldFrom <- 0
        else
            lane.HeldFrom <- stop
            layout.Waiting.Add lane

    /// Writes waiting threads while one may (in the order they began to wait); with `force`
    /// (or past the hold limit) the oldest writes anyway, after the calls above its own
    /// are left. With `force`, nothing waits at the end.
    let settle (layout: Layout) (force: bool) (out: ResizeArray<TraceEvent>) : unit =
        let mutable more = layout.Waiting.Count > 0
        while more do
            match Seq.tryFind (mayWrite layout) layout.Waiting with
            | Some lane -> flush layout lane out
            | None when force || layout.HeldCount > layout.HoldLimit ->
                let lane = layout.Waiting.[0]
                // It starts a call over the top thread's open ones: that thread is waiting.
                match layout.Blocks with
                | top :: _ when lane.Open.IsEmpty -> top.Idle <- true
                | _ -> ()
                if lane.Placed then
                    while not (obj.ReferenceEquals(List.head layout.Blocks, lane)) do
                        leaveTop layout out
                flush layout lane out
            | None -> more <- false
            more <- more && layout.Waiting.Count > 0

    /// Whether the lane's events, from its open calls, reach its outermost boundary.
    let private reachesBoundary (lane: Lane) (events: ResizeArray<TraceEvent>) : bool =
        let mutable depth = lane.Open.Length
        let mutable reached = false
        let mutable i = 0
        while i < events.Count && not reached do
            match events.[i] with
            | Call _ -> depth <- depth + 1
            | Return _ ->
                depth <- depth - 1
                if depth = 0 then reached <- true
            | _ -> ()
            i <- i + 1
        reached

    /// Lays out a thread's next events (one chunk's, in order); what can be written is
    /// appended to `out`, the rest waits.
    let place (layout: Layout) (threadId: int64) (events: ResizeArray<TraceEvent>) (out: ResizeArray<TraceEvent>) : unit =
        if events.Count > 0 then
            let lane = laneOf layout threadId
            // A thread with open calls on top whose events do not end them while threads
            // wait to start calls of their own is waiting for them (a Parallel.For, a Join):
            // their calls go on top of its own first.
            if lane.Placed && not lane.Holding && obj.ReferenceEquals(List.head layout.Blocks, lane)
               && layout.Waiting.Exists(fun w -> w.Open.IsEmpty) && not (reachesBoundary lane events) then
                lane.Idle <- true
                settle layout false out
                lane.Idle <- false
            if lane.Holding || not (mayWrite layout lane) then hold layout lane events 0 out
            else
                let stop = writeRun layout lane events 0 out
                hold layout lane events stop out
            settle layout false out

    /// Ends the layout: every waiting event written, then the calls still open return
    /// `value` (those of suspended threads re-entered first), top block first.
    let close (layout: Layout) (value: ValueRecord) (out: ResizeArray<TraceEvent>) : unit =
        settle layout true out
        let suspended =
            layout.Lanes.Values |> Seq.filter (fun l -> not l.Open.IsEmpty && not l.Placed) |> Seq.sortBy (fun l -> l.ThreadId) |> List.ofSeq
        let closeTop () =
            match layout.Blocks with
            | top :: rest ->
                marker layout top false out
                for _ in top.Open do
                    out.Add(Value(layout.ReturnValueId, value))
                    out.Add(Return value)
                    layout.JustMarked <- false
                top.Open <- []
                top.Placed <- false
                layout.Blocks <- rest
            | [] -> ()
        while not layout.Blocks.IsEmpty do
            closeTop ()
        for lane in suspended do
            begin' layout lane (ThreadSwitch lane.ThreadId) out
            closeTop ()

    /// Every waiting event written (the conversion ends).
    let drain (layout: Layout) (out: ResizeArray<TraceEvent>) : unit = settle layout true out
