/// Small methods built instruction by instruction in a fresh in-memory module, for the unit
/// tests of one instrumentation step (the splicer, the unwind guard).
module CodeTracer.Shell.Tests.SmallMethods

open Mono.Cecil
open Mono.Cecil.Cil
open CodeTracer.Shell.Instrumentation

/// The runtime's Probe type, read once: every test module's probes refer to it.
let runtimeProbe =
    lazy
        (let runtime = ModuleDefinition.ReadModule(typeof<CodeTracer.Runtime.Probe>.Assembly.Location, ReaderParameters(InMemory = true))
         runtime.GetType "CodeTracer.Runtime.Probe")

/// A static method `name(int) -> returns` of a new module, its body `code`, and the module's value probes.
let build (returns: ModuleDefinition -> TypeReference) (code: ILProcessor -> unit) =
    let m = ModuleDefinition.CreateModule("Small", ModuleKind.Dll)
    let t = TypeDefinition("Small", "C", TypeAttributes.Public ||| TypeAttributes.Abstract ||| TypeAttributes.Sealed, m.TypeSystem.Object)
    m.Types.Add t
    let method = MethodDefinition("M", MethodAttributes.Public ||| MethodAttributes.Static, returns m)
    method.Parameters.Add(ParameterDefinition("x", ParameterAttributes.None, m.TypeSystem.Int32))
    t.Methods.Add method
    code (method.Body.GetILProcessor())
    method, ValueProbes(m, runtimeProbe.Value)

let int32 (m: ModuleDefinition) = m.TypeSystem.Int32
let void' (m: ModuleDefinition) = m.TypeSystem.Void

/// The instructions of a body as text: `ldarg.0`, `brtrue -> 3` (the target's index), `call Unwind`.
let listing (body: MethodBody) =
    let index (i: Instruction) = body.Instructions.IndexOf i
    [ for i in body.Instructions ->
          match i.Operand with
          | :? Instruction as target -> $"{i.OpCode.Name} -> {index target}"
          | :? (Instruction array) as targets -> i.OpCode.Name + " -> " + (targets |> Array.map (index >> string) |> String.concat ",")
          | :? MethodReference as m -> $"{i.OpCode.Name} {m.Name}"
          | :? VariableDefinition as v -> $"{i.OpCode.Name} V{v.Index}"
          | _ -> i.OpCode.Name ]
