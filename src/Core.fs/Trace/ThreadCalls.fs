namespace CodeTracer.Core.Trace

open System.Collections.Generic

/// What a Call or Return of a trace is to the thread that made it.
type ThreadEvent =
    /// A call the program made.
    | RealCall
    /// A call left for another thread's events, entered again (no new call).
    | Reentry
    /// A call of the program returned.
    | RealReturn
    /// A call left for another thread's events (`<thread switch>`): it goes on.
    | SwitchReturn
    | NotACall

/// Follows the thread markers of a trace, event by event, to tell the program's calls and
/// returns from those the layout for a one-stack loader adds (docs/design.md, "Threads"):
/// a `<thread switch>` Return suspends a call of the thread named by the last marker; the
/// Calls right after that thread's next marker, while all its calls are suspended, re-enter
/// them. A Return leaves the call on top of the loader's one stack. Events before the
/// first marker (`<toplevel>`) belong to `NoThread`.
[<Sealed>]
type ThreadCalls() =
    /// Each thread's calls not returned yet, and how many of them are on the loader's stack.
    let own = Dictionary<int64, int>()
    let placed = Dictionary<int64, int>()
    let count (d: Dictionary<int64, int>) (t: int64) = match d.TryGetValue t with | true, n -> n | _ -> 0
    /// The thread of each call on the loader's one stack, the top first: a Return leaves the top.
    let mutable loader: int64 list = []
    let mutable current = ThreadCalls.NoThread
    let mutable owner = ThreadCalls.NoThread
    let mutable reentries = 0

    /// The pseudo-thread of the events before any marker (`<toplevel>`).
    static member NoThread = -1L

    /// The thread whose marker came last.
    member _.Current = current

    /// The thread the last Call or Return belongs to (`NoThread` for `<toplevel>`'s).
    member _.Owner = owner

    /// What the next event is.
    member _.Next(e: TraceEvent) : ThreadEvent =
        match e with
        | ThreadStart t
        | ThreadSwitch t ->
            current <- t
            reentries <- (if count placed t = 0 then count own t else 0)
            NotACall
        | Call _ ->
            owner <- current
            loader <- current :: loader
            placed.[current] <- count placed current + 1
            if reentries > 0 then
                reentries <- reentries - 1
                Reentry
            else
                own.[current] <- count own current + 1
                RealCall
        | Return v ->
            // The loader's top call returns (`<toplevel>`'s at the end, under the last marker).
            match loader with
            | top :: rest ->
                owner <- top
                loader <- rest
            | [] -> owner <- ThreadCalls.NoThread
            placed.[owner] <- max 0 (count placed owner - 1)
            match v with
            | Raw(text, _) when text = Markers.SwitchTypeName && owner <> ThreadCalls.NoThread -> SwitchReturn
            | _ ->
                own.[owner] <- max 0 (count own owner - 1)
                RealReturn
        | _ -> NotACall
