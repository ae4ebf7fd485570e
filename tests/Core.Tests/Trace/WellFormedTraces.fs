/// Well-formed event streams for the validator's tests: a plan (paths, functions,
/// variables, a fixed type table), an execution written with plan ids, then
/// registrations placed either all up front (eager) or just before first use (lazy,
/// as the converter writes them).
module CodeTracer.Core.Tests.WellFormedTraces

open System
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Trace

type private Plan =
    { Paths: string array
      /// (plan path, definition line, name); function 0 is `<toplevel>`.
      Functions: (int * int * string) array
      /// Variable 0 is `<return_value>`.
      Variables: string array }

/// A generated well-formed trace: its events and whether every call returns.
type WellFormed = { Events: TraceEvent list; Complete: bool }

/// The fixed type table; type 0 is the loader's None type.
let types =
    [ TraceEvent.Type(TypeKind.None, "None", NoInfo) // 0
      TraceEvent.Type(TypeKind.Int, "int", NoInfo) // 1
      TraceEvent.Type(TypeKind.String, "string", NoInfo) // 2
      TraceEvent.Type(TypeKind.Bool, "bool", NoInfo) // 3
      TraceEvent.Type(TypeKind.Float, "double", NoInfo) // 4
      TraceEvent.Type(TypeKind.Char, "char", NoInfo) // 5
      TraceEvent.Type(TypeKind.Seq, "List<int>", NoInfo) // 6
      TraceEvent.Type(TypeKind.Tuple, "(int, string)", NoInfo) // 7
      TraceEvent.Type(TypeKind.Struct, "Demo.Point", StructInfo [ "X", 1; "Y", 1 ]) // 8
      TraceEvent.Type(TypeKind.Variant, "Demo.Color", NoInfo) // 9
      TraceEvent.Type(TypeKind.Raw, "Task", NoInfo) // 10
      TraceEvent.Type(TypeKind.Error, "Exception", NoInfo) // 11
      TraceEvent.Type(TypeKind.Int, "BigInteger", NoInfo) // 12
      TraceEvent.Type(TypeKind.Struct, "Demo.Box", StructInfo [ "Value", 2 ]) // 13
      TraceEvent.Type(23, "int*", PointerInfo 1) ] // 14

/// One code point as .NET text: any BMP character (a lone surrogate becomes U+FFFD when
/// written) or a surrogate pair.
let private codePoint : Gen<string> =
    Gen.frequency
        [ 5, Gens.anyChar |> Gen.map string
          1, Gen.elements [ "\U0001F600"; "\U00010000"; "\U0010FFFF" ] ]

let private base64 : Gen<string> =
    Gen.choose (0, 12)
    |> Gen.bind (fun n -> Gen.sequenceToArray (Array.replicate n (Gen.choose (0, 255) |> Gen.map byte)))
    |> Gen.map Convert.ToBase64String

let private smallList (g: Gen<'T>) : Gen<'T list> =
    Gen.choose (0, 3) |> Gen.bind (fun n -> Gen.sequenceToList (List.replicate n g))

let private leaf : Gen<ValueRecord> =
    Gen.oneof
        [ Gens.anyInt64 |> Gen.map (fun i -> ValueRecord.Int(i, 1))
          Gens.text |> Gen.map (fun s -> ValueRecord.String(s, 2))
          Gen.elements [ true; false ] |> Gen.map (fun b -> Bool(b, 3))
          Gens.doubleBits |> Gen.map (fun d -> Float(Json.formatDouble d, 4))
          codePoint |> Gen.map (fun c -> ValueRecord.Char(c, 5))
          Gens.text |> Gen.map (fun r -> Raw(r, 10))
          Gens.text |> Gen.map (fun m -> ValueRecord.Error(m, 11))
          Gen.constant (NoneValue 0)
          Gen.map2 (fun b n -> BigInt(b, n, 12)) base64 (Gen.elements [ true; false ]) ]

/// Well-typed values of every kind, nested (the size halves at each level).
let rec private valueOfSize (size: int) : Gen<ValueRecord> =
    if size <= 1 then leaf
    else
        let inner = Gen.delay (fun () -> valueOfSize (size / 2))
        Gen.frequency
            [ 4, leaf
              1, Gen.map2 (fun es s -> Sequence(es, s, 6)) (smallList inner) (Gen.elements [ true; false ])
              1, smallList inner |> Gen.map (fun es -> ValueRecord.Tuple(es, 7))
              1, Gen.map2 (fun x y -> Struct([ ValueRecord.Int(x, 1); ValueRecord.Int(y, 1) ], 8)) Gens.anyInt64 Gens.anyInt64
              1, Gens.text |> Gen.map (fun s -> Struct([ ValueRecord.String(s, 2) ], 13))
              1, Gen.map2 (fun d c -> Variant(d, c, 9)) Gens.text inner ]

let private wellTypedValue : Gen<ValueRecord> = Gen.sized (fun s -> valueOfSize (min s 16))

let private plan : Gen<Plan> =
    gen {
        let! pathCount = Gen.choose (1, 3)
        let! pathTexts = Gen.sequenceToArray (Array.replicate pathCount Gens.text)
        let paths = pathTexts |> Array.mapi (fun i t -> sprintf "/home/user/src/%d/%sProgram.cs" i t)
        let! extra = Gen.choose (0, 4)
        let functionCount = pathCount + extra
        // Definition lines far apart, so that no body step falls on another function's line.
        let! lines = Gen.sequenceToArray (Array.init functionCount (fun i -> Gen.choose (1000 * (i + 1), 1000 * (i + 1) + 100)))
        let! names = Gen.sequenceToArray (Array.replicate functionCount Gens.text)
        let functions =
            Array.init (functionCount + 1) (fun i ->
                if i = 0 then 0, 1, "<toplevel>"
                else (i - 1) % pathCount, lines.[i - 1], sprintf "Demo.Program.M%d(%s)" i names.[i - 1])
        let! variableCount = Gen.choose (1, 5)
        let! variableTexts = Gen.sequenceToArray (Array.replicate variableCount Gens.text)
        let variables = Array.append [| "<return_value>" |] (variableTexts |> Array.mapi (sprintf "v%d%s"))
        return { Paths = paths; Functions = functions; Variables = variables }
    }

/// The events of one call of function `f` (plan ids) and of the calls nested in it.
let rec private callEvents (p: Plan) (f: int) (size: int) : Gen<TraceEvent list> =
    gen {
        let path, line, _ = p.Functions.[f]
        let variable = Gen.choose (1, p.Variables.Length - 1)
        let! args = smallList (Gen.zip variable wellTypedValue)
        let step =
            gen {
                let! l = Gen.choose (line + 1, line + 30)
                let! values = smallList (Gen.zip variable wellTypedValue)
                return Step(path, l) :: (values |> List.map Value)
            }
        let io =
            gen {
                let! s = step
                let! kind = Gen.choose (0, 13)
                let! metadata = Gens.text
                let! content = Gens.text
                return s @ [ IoEvent(kind, metadata, content) ]
            }
        let items =
            [ yield 5, step
              yield 1, io
              yield 1, Gens.anyInt64 |> Gen.map (fun t -> [ ThreadSwitch t ])
              if size > 1 && p.Functions.Length > 1 then
                  yield 3, Gen.choose (1, p.Functions.Length - 1) |> Gen.bind (fun c -> callEvents p c (size / 2)) ]
        let! count = Gen.choose (0, min 6 size)
        let! body = Gen.sequenceToList (List.replicate count (Gen.frequency items))
        let! result = wellTypedValue
        let entry = if f = 0 then [ Call(0, []) ] else [ Step(path, line); Call(f, args) ]
        let returnValue = if f = 0 then [] else [ Value(0, result) ]
        return entry @ List.concat body @ returnValue @ [ Return result ]
    }

/// Eager registration: every definition first, ids are plan indices.
let private eager (p: Plan) (execution: TraceEvent list) : TraceEvent list =
    [ yield! p.Paths |> Array.map Path
      yield! types
      yield! p.Functions |> Array.map Function
      yield! p.Variables |> Array.map VariableName
      yield! execution ]

/// Lazy registration: each definition just before its first use, ids renumbered.
let private lazily (p: Plan) (execution: TraceEvent list) : TraceEvent list =
    let out = ResizeArray<TraceEvent>(types)
    let paths = Collections.Generic.Dictionary<int, int>()
    let functions = Collections.Generic.Dictionary<int, int>()
    let variables = Collections.Generic.Dictionary<int, int>()
    let path (i: int) =
        if not (paths.ContainsKey i) then
            out.Add(Path p.Paths.[i])
            paths.[i] <- paths.Count
        paths.[i]
    let func (i: int) =
        if not (functions.ContainsKey i) then
            let pi, line, name = p.Functions.[i]
            let id = path pi
            out.Add(Function(id, line, name))
            functions.[i] <- functions.Count
        functions.[i]
    let variable (i: int) =
        if not (variables.ContainsKey i) then
            out.Add(VariableName p.Variables.[i])
            variables.[i] <- variables.Count
        variables.[i]
    for e in execution do
        match e with
        | Step(pi, line) ->
            let id = path pi
            out.Add(Step(id, line))
        | Call(f, args) ->
            let id = func f
            let args = args |> List.map (fun (v, x) -> variable v, x)
            out.Add(Call(id, args))
        | Value(v, x) ->
            let id = variable v
            out.Add(Value(id, x))
        | other -> out.Add other
    List.ofSeq out

/// A well-formed trace, complete, registered eagerly or lazily.
let wellFormed : Gen<WellFormed> =
    Gen.sized (fun size ->
        gen {
            let! p = plan
            let! execution = callEvents p 0 (max 2 (min size 40))
            let! isLazy = Gen.elements [ true; false ]
            let events = if isLazy then lazily p execution else eager p execution
            return { Events = List.map Sanitized.event events; Complete = true }
        })

/// A well-formed trace cut after its first Call at a random point (calls may stay open).
let cutShort : Gen<WellFormed> =
    wellFormed
    |> Gen.bind (fun t ->
        let first = t.Events |> List.findIndex (function Call _ -> true | _ -> false)
        Gen.choose (first + 1, t.Events.Length) |> Gen.map (fun k -> { Events = List.truncate k t.Events; Complete = false }))
