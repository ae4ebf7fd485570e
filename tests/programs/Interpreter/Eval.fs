module MiniLisp.Eval

/// The builtins: lambdas that capture nothing (the compiler caches one instance of each).
let builtins: Map<string, Value list -> Value> =
    Map
        [ "+", (fun args -> args |> List.reduce (fun a b -> match a, b with | Int x, Int y -> Int(x + y) | _ -> Real 0.0))
          "*", (fun args -> args |> List.reduce (fun a b -> match a, b with | Int x, Int y -> Int(x * y) | _ -> Real 0.0))
          "<", (fun args -> match args with | [ Int a; Int b ] -> Int(if a < b then 1 else 0) | _ -> Int 0) ]

/// The names an expression uses that it does not bind.
let rec freeNames (expr: Expr) : Set<string> =
    match expr with
    | Num _ -> Set.empty
    | Sym name -> Set.singleton name
    | Call(head, args) -> args |> List.map freeNames |> Set.unionMany |> Set.union (freeNames head)
    | Lambda(parameters, body) -> Set.difference (freeNames body) (Set.ofList parameters)
    | If(test, yes, no) -> Set.unionMany [ freeNames test; freeNames yes; freeNames no ]
    | Let(name, bound, body) -> Set.union (freeNames bound) (Set.remove name (freeNames body))

/// An environment in which expressions are evaluated, counting the calls it makes.
type Evaluator(globals: Map<string, Value>) =
    let mutable calls = 0

    member _.Calls = calls

    member this.Eval (env: Map<string, Value>) (expr: Expr) : Value =
        let lookup name =
            match Map.tryFind name env with
            | Some value -> value
            | None -> if builtins.ContainsKey name then Builtin name else Map.find name globals
        match expr with
        | Num n when n = floor n -> Int(int n)
        | Num n -> Real n
        | Sym name -> lookup name
        | Lambda(parameters, body) -> Closure(parameters, body, env)
        | If(test, yes, no) -> if this.Eval env test <> Int 0 then this.Eval env yes else this.Eval env no
        | Let(name, bound, body) -> this.Eval (Map.add name (this.Eval env bound) env) body
        | Call(head, args) ->
            calls <- calls + 1
            let values = args |> List.map (this.Eval env)
            match this.Eval env head with
            | Builtin name -> builtins.[name] values
            | Closure(parameters, body, captured) -> this.Eval (List.zip parameters values |> List.fold (fun e (k, v) -> Map.add k v e) captured) body
            | other -> failwithf "not a function: %A" other

/// A rule that rejects calls with more arguments than allowed.
let maxArgs (limit: int) =
    { new Rule with
        member _.Check expr =
            match expr with
            | Call(_, args) when args.Length > limit -> Some(sprintf "%d arguments" args.Length)
            | _ -> None }

/// Evaluates definitions in order, each seeing the ones before.
let define (definitions: (string * Expr) list) =
    let evaluator = Evaluator(Map.empty)
    definitions
    |> List.fold
        (fun (globals: Map<string, Value>) (name, body) -> Map.add name (Evaluator(globals).Eval Map.empty body) globals)
        Map.empty,
    evaluator
