module MiniLisp.Program

open System.Threading.Tasks

let sources =
    [ "square", "(lambda (x) (* x x))"
      "twice", "(lambda (f x) (f (f x)))"
      "fact", "(lambda (n) (if (< n 2) 1 (* n (fact (+ n -1)))))" ]

/// Parses the definitions, with what each uses from outside.
let load () =
    [ for name, source in sources ->
          let body, _ = Parser.parseProgram source
          { Name = name; Body = body; Free = Eval.freeNames body } ]

/// Evaluates an expression against the definitions on the thread pool.
let evaluate (globals: Map<string, Value>) (source: string) =
    task {
        let expr, _ = Parser.parseProgram source
        do! Task.Yield()
        return Eval.Evaluator(globals).Eval Map.empty expr
    }

/// Evaluates several expressions one after another.
let evaluateAll (globals: Map<string, Value>) (sources: string list) =
    async {
        let results = ResizeArray()
        for source in sources do
            let! value = evaluate globals source |> Async.AwaitTask
            results.Add value
        return List.ofSeq results
    }

/// The names of the definitions that use others, as one line.
let report (definitions: Definition list) =
    seq {
        for d in definitions do
            if not d.Free.IsEmpty then yield d.Name
    }
    |> String.concat ", "

/// Where results go: a sink chosen by the settings, whose password it must not show.
let connect (settings: Map<string, string>) =
    let target = Map.find "target" settings
    { new System.IDisposable with
        member _.Dispose() = printfn "closed %s" target }

[<EntryPoint>]
let main _ =
    let settings = Map [ "target", "console"; "password", "hunter2"; "user", "ada" ]
    use sink = connect settings
    let definitions = load ()
    printfn "report %s" (report definitions)
    let globals = definitions |> List.map (fun d -> d.Name, d.Body) |> Eval.define |> fst
    let rule = Eval.maxArgs 2
    for d in definitions do
        printfn "%s uses %s%s" d.Name (String.concat " " d.Free) (defaultArg (rule.Check d.Body) "")
    let results = evaluateAll globals [ "(square 7)"; "(twice square 3)"; "(fact 5)" ] |> Async.RunSynchronously
    printfn "results %A" results
    let names = globals |> Map.toList |> List.map fst |> Set.ofList
    printfn "globals %d %A" globals.Count names
    0
