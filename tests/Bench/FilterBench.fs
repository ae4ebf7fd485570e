/// Trace-filter figures: loading the built-in chain plus a 50-rule file, then
/// deciding 10,000 methods with 50 variables each (no caching: every method
/// decision is a first decision).
module CodeTracer.Bench.FilterBench

open System.Diagnostics
open System.Text
open CodeTracer.Core.TraceFilter

let private ruleCount = 50

/// The large file whose load time is printed: loading must stay linear in the rules. A sixth
/// of its rules are distinct regexes, which the loader checks without building them (a
/// non-backtracking regex takes milliseconds and a megabyte to build: 20k rules took 15.5 s and
/// 200k were killed for memory when each was built at load).
let private largeRuleCount = 200_000
let private methodCount = 10_000
let private variablesPerMethod = 50

/// A project filter with 50 rules of every scope kind and match type; one in
/// five has value patterns.
let private projectFilterText (ruleCount: int) : string =
    let sb = StringBuilder()
    sb.Append("[meta]\nname = \"bench\"\nversion = 1\n\n[scope]\ndefault_exec = \"inherit\"\ndefault_value_action = \"inherit\"\n")
    |> ignore
    for i in 0 .. ruleCount - 1 do
        let selector =
            match i % 6 with
            | 0 -> sprintf "pkg:App.Module%d.*" i
            | 1 -> sprintf "obj:App.Module%d.Sub*.Type?.Run*" i
            | 2 -> sprintf "file:src/Mod%d/**" i
            | 3 -> sprintf "asm:App.Lib%d" i
            | 4 -> sprintf "obj:regex:App\\.Module%d\\.Sub[0-9]+\\.Type[0-4]\\..*" i
            | _ -> sprintf "pkg:literal:App.Module%d.Sub3" i
        sb.Append("\n[[scope.rules]]\n").Append(sprintf "selector = '%s'\n" selector) |> ignore
        if i % 3 = 0 then sb.Append(if i % 2 = 0 then "exec = \"skip\"\n" else "exec = \"trace\"\n") |> ignore
        if i % 4 = 1 then sb.Append("value_default = \"redact\"\n") |> ignore
        if i % 5 = 2 then
            sb.Append("[[scope.rules.value_patterns]]\nselector = \"local:tmp*\"\naction = \"drop\"\n") |> ignore
            sb.Append("[[scope.rules.value_patterns]]\nselector = 'arg:regex:(pan|cvv|card.*)'\naction = \"redact\"\n") |> ignore
            sb.Append("[[scope.rules.value_patterns]]\nselector = \"field:literal:Secret\"\naction = \"redact\"\n") |> ignore
    sb.ToString()

let private contextOf (i: int) : MethodContext =
    let m = i % 60
    let sub = i % 7
    let ns = sprintf "App.Module%d.Sub%d" m sub
    { AssemblyName =
        match i % 10 with
        | 0 -> "System.Private.CoreLib"
        | 1 -> sprintf "App.Lib%d" (i % 50)
        | _ -> "App"
      Namespace = ns
      QualifiedMethod = sprintf "%s.Type%d.Run%d" ns (i % 9) (i % 13)
      RelativeFile = Some(sprintf "src/Mod%d/File%d.cs" m (i % 11)) }

let private variables : (ValueKind * string) array =
    let names = [| "count"; "total"; "password"; "tmpBuffer"; "pan"; "customerName"; "accessToken"; "i"; "Secret"; "itemsByKey" |]
    Array.init variablesPerMethod (fun v ->
        let kind =
            match v % 4 with
            | 0 -> ValueKind.Arg
            | 1 -> ValueKind.Local
            | 2 -> ValueKind.Field
            | _ -> ValueKind.Ret
        kind, names.[v % names.Length] + (if v >= names.Length then string (v / names.Length) else ""))

let private fail (errors: FilterError list) =
    failwithf "%s" (errors |> List.map FilterError.render |> String.concat "\n")

/// Prints the time to load the chain, per method decision and per value decision.
let run () : unit =
    let text = projectFilterText ruleCount
    let clock = Stopwatch.StartNew()
    let files =
        [ for b in [ BuiltinFilter.Default; BuiltinFilter.Xunit ] do
              match Builtins.load b with
              | Ok f -> yield f
              | Error e -> fail e
          match FilterLoader.load ".codetracer/trace-filter.toml" text with
          | Ok f -> yield f
          | Error e -> fail e ]
    let chain =
        match FilterChain.create (Some "/home/user/app") files with
        | Ok c -> c
        | Error e -> fail e
    let loaded = clock.Elapsed
    let contexts = Array.init methodCount contextOf
    // One pass that pays for the JIT, then the timed one.
    let decideAll () =
        let mutable skipped = 0
        let mutable hidden = 0
        let policies = Array.zeroCreate methodCount
        let methodClock = Stopwatch.StartNew()
        for i in 0 .. methodCount - 1 do
            let p = Decision.decide chain contexts.[i]
            policies.[i] <- p
            if p.Exec = ExecDirective.Skip then skipped <- skipped + 1
        let methodTime = methodClock.Elapsed
        let valueClock = Stopwatch.StartNew()
        for p in policies do
            for kind, name in variables do
                let action, _ = Decision.decideValue p kind name
                if action <> ValueAction.Allow then hidden <- hidden + 1
        methodTime, valueClock.Elapsed, skipped, hidden
    let coldMethods, coldValues, _, _ = decideAll ()
    let methods, values, skipped, hidden = decideAll ()
    let valueCount = methodCount * variablesPerMethod
    printfn "trace filter (%d rules in the chain)" chain.Rules.Length
    printfn "  load built-ins + %d-rule file  %8.2f ms" ruleCount loaded.TotalMilliseconds
    printfn "  method decision               %8.2f us   (first pass with JIT %.2f us; %d of %d skipped)"
        (methods.TotalMilliseconds * 1000.0 / float methodCount)
        (coldMethods.TotalMilliseconds * 1000.0 / float methodCount)
        skipped
        methodCount
    printfn "  value decision                %8.3f us   (first pass with JIT %.3f us; %d of %d not allowed)"
        (values.TotalMilliseconds * 1000.0 / float valueCount)
        (coldValues.TotalMilliseconds * 1000.0 / float valueCount)
        hidden
        valueCount
    let large = projectFilterText largeRuleCount
    let largeClock = Stopwatch.StartNew()
    let largeFile =
        match FilterLoader.load "large.toml" large with
        | Ok f -> f
        | Error e -> fail e
    let largeLoaded = largeClock.Elapsed
    // Behind the built-ins, as a project file is: the first filter of a chain may not inherit.
    match FilterChain.create (Some "/home/user/app") ((files |> List.truncate 2) @ [ largeFile ]) with
    | Ok _ -> ()
    | Error e -> fail e
    printfn "  load a %d-rule file (%.1f MB)  %6.2f s   (with its chain %.2f s; 20k rules took 15.5 s, 31.6 s with the chain, when each regex was built at load)"
        largeRuleCount
        (float large.Length / 1e6)
        largeLoaded.TotalSeconds
        largeClock.Elapsed.TotalSeconds
