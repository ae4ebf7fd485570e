/// The rewritten IL of Loops, read back with Cecil: probes where the protocol says,
/// branches and handlers going through them, symbols kept.
module CodeTracer.Shell.Tests.MethodRewriterTests

open System.IO
open Expecto
open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Core.Recording
open CodeTracer.Shell.Instrumentation

let private rewritten =
    lazy
        (let dir, manifest = LoopsFixture.instrumented.Value
         LoopsFixture.readModule (Path.Combine(dir, "Loops.dll")), manifest)

let private original = lazy (LoopsFixture.readModule (Path.Combine(LoopsFixture.output, "Loops.dll")))

let private probeName (i: Instruction) =
    match i.OpCode.Code, i.Operand with
    | Code.Call, (:? MethodReference as m) when m.DeclaringType.FullName = "CodeTracer.Runtime.Probe" -> Some m.Name
    | _ -> None

let private isProbe name (i: Instruction | null) =
    match i with
    | null -> false
    | i -> probeName i = Some name

/// The id of the probe `name` that starts at `i` (`ldc.i4 id; call Probe::name`).
let private probeAt name (i: Instruction) =
    match LoopsFixture.intConstant i with
    | Some id when name <> "Step" && isProbe name i.Next -> Some id
    | _ ->
        // A step: `ldloc frame; brfalse end; [values]; ldloc frame; ldc.i4 site; call Step; end: nop`.
        match i.Next with
        | null -> None
        | next when name = "Step" && (next.OpCode.Code = Code.Brfalse || next.OpCode.Code = Code.Brfalse_S) && (next.Operand :? Instruction) ->
            let stepCall = (next.Operand :?> Instruction).Previous
            if isProbe "Step" stepCall then LoopsFixture.intConstant (nonNull stepCall.Previous) else None
        | _ -> None

/// The variables a step writes when they changed: one `At` or `ValObjectAt` call each, before its Step call.
/// A step's value: `At` before a value probe, or a probe that writes both (`ValIntAt`, `ValObjectAt`...).
let private isStepValue (i: Instruction) =
    match probeName i with
    | Some "At" -> true
    | Some name -> name.StartsWith "Val" && name.EndsWith "At"
    | None -> false

let private stepValueCount (start: Instruction) =
    let stop = (nonNull start.Next).Operand :?> Instruction
    let rec count (i: Instruction | null) n =
        match i with
        | null -> n
        | i when i = stop -> n
        | i -> count i.Next (if isStepValue i then n + 1 else n)
    count start 0

let private isLoad (i: Instruction) =
    match i.OpCode.Code with
    | Code.Ldarg | Code.Ldarg_S | Code.Ldarg_0 | Code.Ldarg_1 | Code.Ldarg_2 | Code.Ldarg_3
    | Code.Ldloc | Code.Ldloc_S | Code.Ldloc_0 | Code.Ldloc_1 | Code.Ldloc_2 | Code.Ldloc_3 -> true
    | _ -> false

let private isConversion (i: Instruction) =
    match i.OpCode.Code with
    | Code.Ldobj | Code.Conv_I8 | Code.Conv_U8 | Code.Box -> true
    | _ -> false

/// The value calls that follow a probe call: `load; [ldobj|conv|box]*; call Probe::Val*`, repeated.
let private valueCalls (probeCall: Instruction) =
    let rec group (i: Instruction | null) =
        match i with
        | null -> None
        | i when isConversion i -> group i.Next
        | i -> probeName i |> Option.filter (fun n -> n.StartsWith "Val") |> Option.map (fun n -> n, i.Next)
    let rec loop (i: Instruction | null) acc =
        match i with
        | null -> List.rev acc
        | i when isLoad i ->
            match group i.Next with
            | Some(name, next) -> loop next (name :: acc)
            | None -> List.rev acc
        | _ -> List.rev acc
    // Enter's frame is stored first.
    let first = probeCall.Next
    loop (if not (isNull first) && first.OpCode.Name.StartsWith "stloc" then first.Next else first) []

let private instrumentedMethods (m: ModuleDefinition) =
    m.GetTypes() |> Seq.collect (fun t -> t.Methods) |> Seq.filter (fun x -> x.HasBody && x.Body.Instructions.Count > 1)
    |> Seq.filter (fun x -> probeAt "Enter" x.Body.Instructions[0] |> Option.isSome)
    |> List.ofSeq

let private branchTargets (body: MethodBody) =
    [ for i in body.Instructions do
          match i.Operand with
          | :? Instruction as target -> yield target
          | :? (Instruction[]) as targets -> yield! targets
          | _ -> () ]

/// The local an `stloc`/`ldloc` in any of its forms uses (None for other instructions).
let private localOf (i: Instruction) =
    match i.OpCode.Code, i.Operand with
    | (Code.Stloc_0 | Code.Ldloc_0), _ -> Some 0
    | (Code.Stloc_1 | Code.Ldloc_1), _ -> Some 1
    | (Code.Stloc_2 | Code.Ldloc_2), _ -> Some 2
    | (Code.Stloc_3 | Code.Ldloc_3), _ -> Some 3
    | (Code.Stloc_S | Code.Stloc | Code.Ldloc_S | Code.Ldloc), (:? VariableDefinition as v) -> Some v.Index
    | _ -> None

let private isStore (i: Instruction) =
    match i.OpCode.Code with
    | Code.Stloc_0 | Code.Stloc_1 | Code.Stloc_2 | Code.Stloc_3 | Code.Stloc_S | Code.Stloc -> true
    | _ -> false

/// The fault handler around the body: the method's last handler.
let private guard (body: MethodBody) = Seq.last body.ExceptionHandlers

/// The instructions of the steps' own code (from `ldloc frame` to the step's end), whose
/// branches (unchanged values are skipped) are the probes', not the program's.
let private stepCode (body: MethodBody) =
    let inside = System.Collections.Generic.HashSet<Instruction>()
    for i in body.Instructions do
        if (probeAt "Step" i).IsSome then
            let stop = (nonNull i.Next).Operand :?> Instruction
            let mutable j = i
            while j <> stop do
                inside.Add j |> ignore
                j <- nonNull j.Next
    inside

/// Branch targets of the program's own branches but the guarded body's exit (the `leave`s
/// that replaced the `ret`s).
let private innerTargets (body: MethodBody) =
    let exit = (guard body).HandlerEnd
    let probes = stepCode body
    [ for i in body.Instructions do
          if not (probes.Contains i) then
              match i.Operand with
              | :? Instruction as target -> yield target
              | :? (Instruction[]) as targets -> yield! targets
              | _ -> () ]
    |> List.filter (fun t -> t <> exit)

let private readCount (slots: VariableSlot array) = slots |> Array.filter (fun s -> s.Capture = Capture.Read) |> Array.length

let private visiblePoints (m: MethodDefinition) =
    m.DebugInformation.SequencePoints |> Seq.filter (fun p -> not p.IsHidden) |> List.ofSeq

let tests =
    testList
        "Instrumentation.MethodRewriter"
        [ test "every instrumented method starts with Enter, with its own id and arguments" {
              let m, manifest = rewritten.Value
              let methods = instrumentedMethods m
              Expect.equal methods.Length manifest.Methods.Length "one Enter per manifest method"
              for x in methods do
                  let id = (probeAt "Enter" x.Body.Instructions[0]).Value
                  let entry = manifest.Methods[id]
                  Expect.equal entry.Name (DisplayNames.OfMethod x) "the id names this method"
                  Expect.equal (List.length (valueCalls x.Body.Instructions[1])) (readCount entry.Args) $"{entry.Name}: one value per read argument"
                  let enters = x.Body.Instructions |> Seq.filter (isProbe "Enter") |> Seq.length
                  Expect.equal enters 1 $"{entry.Name}: Enter once"
          }

          test "every visible sequence point starts a Step of its site, with one value per read variable" {
              let m, manifest = rewritten.Value
              let mutable steps = 0
              for x in instrumentedMethods m do
                  let methodId = (probeAt "Enter" x.Body.Instructions[0]).Value
                  let byOffset = x.Body.Instructions |> Seq.map (fun i -> i.Offset, i) |> dict
                  for point in visiblePoints x do
                      let start = byOffset[point.Offset]
                      match probeAt "Step" start with
                      | None -> failtestf "%s line %d: %O is no Step" x.Name point.StartLine start
                      | Some siteId ->
                          let site = manifest.Sites[siteId]
                          Expect.equal site.MethodId methodId "site of this method"
                          Expect.equal site.Line point.StartLine "site line = sequence point line"
                          Expect.equal (stepValueCount start) (readCount site.Variables) $"{x.Name} line {site.Line}: values"
                          steps <- steps + 1
              Expect.equal steps manifest.Sites.Length "every site is at a sequence point"
          }

          test "sequence points keep their lines and columns" {
              let m, _ = rewritten.Value
              for x in instrumentedMethods m do
                  let before = LoopsFixture.method original.Value x.DeclaringType.FullName x.Name
                  let lines (y: MethodDefinition) =
                      y.DebugInformation.SequencePoints |> Seq.map (fun p -> p.StartLine, p.StartColumn, p.EndLine, p.EndColumn) |> List.ofSeq
                  Expect.equal (lines x) (lines before) x.FullName
          }

          test "every return goes through Return (and its value call), then leaves the guarded body" {
              let m, manifest = rewritten.Value
              for x in instrumentedMethods m do
                  let entry = manifest.Methods[(probeAt "Enter" x.Body.Instructions[0]).Value]
                  let exit = (guard x.Body).HandlerEnd
                  let rets = x.Body.Instructions |> Seq.filter (fun i -> i.OpCode.Code = Code.Ret) |> List.ofSeq
                  let leaves = x.Body.Instructions |> Seq.filter (fun i -> i.OpCode.Code = Code.Leave_S || i.OpCode.Code = Code.Leave) |> Seq.filter (fun i -> i.Operand = box exit) |> List.ofSeq
                  let returns = x.Body.Instructions |> Seq.filter (isProbe "Return") |> List.ofSeq
                  Expect.equal rets.Length 1 $"{entry.Name}: one ret, after the handler"
                  Expect.equal (rets.Head.Offset > exit.Offset || rets.Head = exit) true $"{entry.Name}: the ret is the exit's"
                  Expect.equal leaves.Length returns.Length $"{entry.Name}: one leave to the exit per Return"
                  for leave in leaves do
                      let before = nonNull leave.Previous
                      if entry.IsVoid then
                          Expect.isTrue (isProbe "Return" before) $"{entry.Name}: Return just before the leave"
                      else
                          Expect.isTrue (isStore before) $"{entry.Name}: the value is stored"
                          Expect.isTrue (probeName (nonNull before.Previous) |> Option.exists (fun n -> n.StartsWith "Val")) $"{entry.Name}: value call before the store"
                          let rec back (i: Instruction) = if isProbe "Return" i then i else back (nonNull i.Previous)
                          Expect.equal (back leave).Next.OpCode.Code Code.Dup $"{entry.Name}: the returned value is duplicated"
                          Expect.equal (localOf exit) (localOf before) $"{entry.Name}: the exit loads what was stored"
                          Expect.equal (localOf exit) (Some(x.Body.Variables.Count - 1)) $"{entry.Name}: into a local of its own"
          }

          test "the body after the entry probes runs in a fault handler that calls Unwind, the last handler" {
              let m, manifest = rewritten.Value
              for x in instrumentedMethods m do
                  let name = manifest.Methods[(probeAt "Enter" x.Body.Instructions[0]).Value].Name
                  let h = guard x.Body
                  Expect.equal h.HandlerType ExceptionHandlerType.Fault $"{name}: a fault handler"
                  Expect.isTrue (isProbe "Unwind" h.HandlerStart.Next) $"{name}: the handler calls Unwind with the frame"
                  Expect.equal h.HandlerStart.Next.Next.OpCode.Code Code.Endfinally $"{name}: and ends"
                  Expect.equal h.TryEnd h.HandlerStart $"{name}: the handler follows the body"
                  let before = x.Body.Instructions |> Seq.takeWhile (fun i -> i <> h.TryStart) |> List.ofSeq
                  Expect.isTrue (isProbe "Enter" before[1]) $"{name}: Enter before the try"
                  Expect.equal (before |> List.filter (fun i -> probeName i |> Option.isSome) |> List.length) (1 + List.length (valueCalls before[1])) $"{name}: only the entry probes before the try"
                  for other in x.Body.ExceptionHandlers |> Seq.filter (fun o -> o <> h) do
                      let ends (i: Instruction | null) = match i with null -> System.Int32.MaxValue | i -> i.Offset
                      Expect.isTrue
                          (other.TryStart.Offset >= h.TryStart.Offset && ends other.HandlerEnd <= h.TryEnd.Offset)
                          $"{name}: the {other.HandlerType} handler is nested in the guarded body"
                  for ret in x.Body.Instructions |> Seq.filter (fun i -> i.OpCode.Code = Code.Ret) do
                      Expect.isGreaterThan ret.Offset h.HandlerStart.Offset $"{name}: no ret inside the try"
          }

          test "the for loop's branches go through Step probes" {
              let m, _ = rewritten.Value
              let sum = LoopsFixture.method m "Loops.Program" "Sum"
              let targets = innerTargets sum.Body
              Expect.isGreaterThanOrEqual targets.Length 2 "a forward jump to the condition and a jump back to the body"
              Expect.exists targets (fun t -> t.Offset < (targets |> List.map (fun t -> t.Offset) |> List.max)) "a backward branch"
              for target in targets do
                  Expect.isSome (probeAt "Step" target) $"branch to {target} lands on a Step"
          }

          test "the switch's targets go through Step probes" {
              let m, _ = rewritten.Value
              let describe = LoopsFixture.method m "Loops.Program" "Describe"
              let switch = describe.Body.Instructions |> Seq.find (fun i -> i.OpCode.Code = Code.Switch)
              for target in switch.Operand :?> Instruction[] do
                  Expect.isSome (probeAt "Step" target) $"case {target} lands on a Step"
          }

          test "try, filter and finally go through probes" {
              let m, manifest = rewritten.Value
              let divide = LoopsFixture.method m "Loops.Program" "Divide"
              let handlers = divide.Body.ExceptionHandlers |> List.ofSeq
              Expect.equal
                  (handlers |> List.map (fun h -> h.HandlerType))
                  [ ExceptionHandlerType.Filter; ExceptionHandlerType.Finally; ExceptionHandlerType.Fault ]
                  "a filter and a finally, then the guard"
              let handlers = handlers |> List.take 2
              for h in handlers do
                  Expect.isSome (probeAt "Step" h.TryStart) $"{h.HandlerType}: the try starts with a Step"
              let filter, fin = handlers[0], handlers[1]
              // The filter starts with hidden compiler code; its `when` line is a Step inside it.
              let filterSteps =
                  Seq.unfold (fun (i: Instruction) -> if i = filter.HandlerStart then None else Some(i, nonNull i.Next)) filter.FilterStart
                  |> Seq.choose (probeAt "Step")
                  |> Seq.map (fun id -> manifest.Sites[id].Line)
                  |> List.ofSeq
              Expect.equal filterSteps [ LoopsFixture.lineOf "when (b == 0)" ] "the when clause is stepped inside the filter"
              Expect.isSome (probeAt "Step" fin.HandlerStart) "the finally starts with a Step"
              Expect.isSome (probeAt "Step" fin.HandlerEnd) "the finally ends before a Step"
          }

          test "every branch and handler bound moves to the probe inserted before its instruction" {
              let scratch = ModuleDefinition.CreateModule("Scratch", ModuleKind.Dll)
              let holder = TypeDefinition("Synthetic", "Holder", TypeAttributes.Public, scratch.TypeSystem.Object)
              scratch.Types.Add holder
              let x = MethodDefinition("Guarded", MethodAttributes.Public ||| MethodAttributes.Static, scratch.TypeSystem.Void)
              holder.Methods.Add x
              let il = x.Body.Instructions
              let tryStart = Instruction.Create OpCodes.Nop
              let filterStart = Instruction.Create OpCodes.Pop
              let handlerStart = Instruction.Create OpCodes.Pop
              let ret = Instruction.Create OpCodes.Ret
              for i in
                  [ tryStart; Instruction.Create(OpCodes.Leave, ret)
                    filterStart; Instruction.Create OpCodes.Ldc_I4_1; Instruction.Create OpCodes.Endfilter
                    handlerStart; Instruction.Create(OpCodes.Leave, ret)
                    ret ] do
                  il.Add i
              // Offsets as if the method had been read from a file (sequence points are found by offset).
              il |> Seq.fold (fun offset i -> i.Offset <- offset; offset + i.GetSize()) 0 |> ignore
              x.Body.ExceptionHandlers.Add(
                  ExceptionHandler(
                      ExceptionHandlerType.Filter,
                      TryStart = tryStart, TryEnd = filterStart, FilterStart = filterStart,
                      HandlerStart = handlerStart, HandlerEnd = ret))
              let document = Document("/src/Synthetic.cs")
              [ tryStart; filterStart; handlerStart; ret ]
              |> List.iteri (fun line i ->
                  x.DebugInformation.SequencePoints.Add(SequencePoint(i, document, StartLine = 10 + line, EndLine = 10 + line, StartColumn = 1, EndColumn = 2)))

              let runtime = ModuleDefinition.ReadModule(typeof<CodeTracer.Runtime.Probe>.Assembly.Location, ReaderParameters(InMemory = true))
              let manifest = ManifestBuilder()
              Expect.isTrue (MethodRewriter.Instrument(x, ValueProbes(scratch, runtime.GetType "CodeTracer.Runtime.Probe"), manifest)) "instrumented"
              let h = x.Body.ExceptionHandlers[0]
              let lineAt (i: Instruction) = (probeAt "Step" i |> Option.map (fun id -> (manifest.Build()).Sites[id].Line))
              Expect.equal (lineAt h.TryStart) (Some 10) "TryStart"
              Expect.equal (lineAt h.TryEnd) (Some 11) "TryEnd"
              Expect.equal (lineAt h.FilterStart) (Some 11) "FilterStart"
              Expect.equal (lineAt h.HandlerStart) (Some 12) "HandlerStart"
              Expect.equal (lineAt h.HandlerEnd) (Some 13) "HandlerEnd"
              for target in innerTargets x.Body do
                  Expect.equal (lineAt target) (Some 13) "both leaves go to the last line's Step"
              Expect.isSome (probeAt "Enter" x.Body.Instructions[0]) "Enter first"
              Expect.notEqual h.TryStart x.Body.Instructions[0] "Enter stays outside the try"
          }

          test "a handler that ended the method stays before the guard, and the method compiles and runs" {
              // static int Guarded(int b) { try { r = 10 / b; } catch (Exception) { r = -1; } return r; }
              // laid out with the catch block last, so that its end is the end of the method.
              let scratch = AssemblyDefinition.CreateAssembly(AssemblyNameDefinition("ScratchGuard", System.Version(1, 0)), "ScratchGuard", ModuleKind.Dll).MainModule
              let holder = TypeDefinition("Synthetic", "Holder", TypeAttributes.Public ||| TypeAttributes.Abstract ||| TypeAttributes.Sealed, scratch.TypeSystem.Object)
              scratch.Types.Add holder
              let x = MethodDefinition("Guarded", MethodAttributes.Public ||| MethodAttributes.Static, scratch.TypeSystem.Int32)
              x.Parameters.Add(ParameterDefinition("b", ParameterAttributes.None, scratch.TypeSystem.Int32))
              holder.Methods.Add x
              let r = VariableDefinition(scratch.TypeSystem.Int32)
              x.Body.Variables.Add r
              let il = x.Body.Instructions
              let tryStart = Instruction.Create(OpCodes.Ldc_I4, 10)
              let exit = Instruction.Create(OpCodes.Ldloc, r)
              let handlerStart = Instruction.Create OpCodes.Pop
              for i in
                  [ tryStart; Instruction.Create(OpCodes.Ldarg_0); Instruction.Create OpCodes.Div; Instruction.Create(OpCodes.Stloc, r)
                    Instruction.Create(OpCodes.Leave, exit)
                    exit; Instruction.Create OpCodes.Ret
                    handlerStart; Instruction.Create(OpCodes.Ldc_I4_M1); Instruction.Create(OpCodes.Stloc, r); Instruction.Create(OpCodes.Leave, exit) ] do
                  il.Add i
              il |> Seq.fold (fun offset i -> i.Offset <- offset; offset + i.GetSize()) 0 |> ignore
              x.Body.ExceptionHandlers.Add(
                  ExceptionHandler(
                      ExceptionHandlerType.Catch,
                      CatchType = scratch.ImportReference(typeof<System.Exception>),
                      TryStart = tryStart, TryEnd = exit, HandlerStart = handlerStart, HandlerEnd = null))
              let document = Document("/src/Synthetic.cs")
              [ tryStart; exit; handlerStart ]
              |> List.iteri (fun line i ->
                  x.DebugInformation.SequencePoints.Add(SequencePoint(i, document, StartLine = 10 + line, EndLine = 10 + line, StartColumn = 1, EndColumn = 2)))

              let runtime = ModuleDefinition.ReadModule(typeof<CodeTracer.Runtime.Probe>.Assembly.Location, ReaderParameters(InMemory = true))
              Expect.isTrue (MethodRewriter.Instrument(x, ValueProbes(scratch, runtime.GetType "CodeTracer.Runtime.Probe"), ManifestBuilder())) "instrumented"
              let catcher, fault = x.Body.ExceptionHandlers[0], x.Body.ExceptionHandlers[1]
              Expect.equal fault.HandlerType ExceptionHandlerType.Fault "the guard is last"
              Expect.equal catcher.HandlerEnd fault.HandlerStart "the catch ends where the guard's handler begins"

              use stream = new MemoryStream()
              scratch.Write stream
              let context = System.Runtime.Loader.AssemblyLoadContext("scratch-guard", true)
              try
                  stream.Position <- 0L
                  let guarded = nonNull ((nonNull (context.LoadFromStream(stream).GetType "Synthetic.Holder")).GetMethod "Guarded")
                  System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod guarded.MethodHandle
                  Expect.equal (guarded.Invoke(null, [| box 2 |])) (box 5) "10 / 2"
                  Expect.equal (guarded.Invoke(null, [| box 0 |])) (box -1) "caught inside"
              finally
                  context.Unload()
          }

          test "a method without sequence points is left alone" {
              let scratch = ModuleDefinition.CreateModule("Scratch", ModuleKind.Dll)
              let runtime = ModuleDefinition.ReadModule(typeof<CodeTracer.Runtime.Probe>.Assembly.Location, ReaderParameters(InMemory = true))
              let probes = ValueProbes(scratch, runtime.GetType "CodeTracer.Runtime.Probe")
              let x = MethodDefinition("NoSymbols", MethodAttributes.Static, scratch.TypeSystem.Int32)
              x.Body.Instructions.Add(Instruction.Create OpCodes.Ldc_I4_0)
              x.Body.Instructions.Add(Instruction.Create OpCodes.Ret)
              let manifest = ManifestBuilder()
              Expect.isFalse (MethodRewriter.Instrument(x, probes, manifest)) "not instrumented"
              Expect.equal (x.Body.Instructions |> Seq.map (fun i -> i.OpCode.Code) |> List.ofSeq) [ Code.Ldc_I4_0; Code.Ret ] "IL unchanged"
              Expect.equal (manifest.Build()) Manifest.empty "nothing in the manifest"
          } ]
