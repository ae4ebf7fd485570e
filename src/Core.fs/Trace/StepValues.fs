namespace CodeTracer.Core.Trace

open System.Collections.Generic
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// The values of calls and steps: raw values converted with the type registry, slots the
/// runtime never reads, and each frame's memory of what it showed last.
[<RequireQualifiedAccess>]
module StepValues =
    let private isNull (x: 'T) = obj.ReferenceEquals(x, null)

    /// Registers a type, its Type event (when new) going to `state.TypeEvents`.
    let registerType (state: ConversionState) (kind: int) (name: string) : int =
        let id, reg, evs = ValueConversion.register kind name state.Types
        state.Types <- reg
        state.TypeEvents.AddRange evs
        id

    /// A raw value of a slot as a trace value; new types' events go to `state.TypeEvents`.
    let convertValue (state: ConversionState) (slot: VariableSlot) (kind: int) (typeId: int) (raw: RawValue) : ValueRecord =
        let v, reg, evs = ValueConversion.convertDeclared kind slot.TypeName typeId slot.Shape raw state.Types
        state.Types <- reg
        if not evs.IsEmpty then state.TypeEvents.AddRange evs
        v

    /// A value made with a registry: the registry kept, its new types' events to `state.TypeEvents`.
    let withTypes (state: ConversionState) (v: ValueRecord, reg: TypeRegistry, evs: TraceEvent list) : ValueRecord =
        state.Types <- reg
        state.TypeEvents.AddRange evs
        v

    /// The value of a slot the runtime never reads: its fixed text, `<redacted>` or `<dropped>`
    /// (None for read and resumed slots); new types' events go to `state.TypeEvents`.
    let unreadValue (state: ConversionState) (slot: VariableSlot) : ValueRecord option =
        match slot.Capture with
        | Read
        | Resumed -> None
        | Fixed text -> Some(Raw(text, registerType state TypeKind.Raw slot.TypeName))
        | Redacted -> Some(withTypes state (ValueConversion.redacted state.Types))
        | Dropped -> Some(withTypes state (ValueConversion.dropped state.Types))

    /// A method's argument values once the read ones (`got`) are in: unread slots get their
    /// fixed value, slots without a value `None`.
    let argValues (state: ConversionState) (m: int) (got: (int * ValueRecord) list) : (int * ValueRecord) list =
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
    let stepValues (state: ConversionState) (s: int) (owner: Frame) (written: ResizeArray<struct (int * RawValue)>) : unit =
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

