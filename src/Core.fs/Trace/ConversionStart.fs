namespace CodeTracer.Core.Trace

open System.Collections.Generic
open CodeTracer.Core.Probes
open CodeTracer.Core.Recording

/// The opening of a conversion: the registrations that begin a trace and the initial state.
[<RequireQualifiedAccess>]
module ConversionStart =
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
    /// `holdLimit`: how many events of other threads may wait (`ThreadLayout`).
    let startWith (holdLimit: int) (manifest: Manifest) : ConversionState * TraceEvent list =
        let allSlots =
            [ for m in manifest.Methods do
                  yield! m.Args
                  yield m.Return
              for s in manifest.Sites do
                  yield! s.Variables ]
        let names =
            (allSlots |> List.map slotKey) @ [ Markers.ReturnValueName ] |> List.distinct
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
            let id, reg, evs = ValueConversion.register TypeKind.Raw Markers.SwitchTypeName types.Value.Types
            types.Value.Types <- reg
            out.AddRange evs
            Raw(Markers.SwitchTypeName, id)
        let widest =
            Seq.append (manifest.Sites |> Seq.map (fun s -> s.Variables.Length)) (manifest.Methods |> Seq.map (fun m -> m.Args.Length))
            |> Seq.fold max 0
        { Manifest = manifest
          VariableIds = variableIds
          ReturnValueId = variableIds.[Markers.ReturnValueName]
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
          Layout = ThreadLayout.create holdLimit variableIds.[Markers.ReturnValueName] switchValue
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
