/// Records tests/programs/Interpreter, a small Lisp interpreter written as F# is usually
/// written (a seq lexer, parser helpers with generic closures, an evaluator class with inner
/// functions over a Map environment, builtins as capture-free lambdas, task and async, object
/// expressions, unions with named fields, a struct union): every function is named as an F#
/// developer reads it, and Map, Set and union values show as the user wrote them.
module CodeTracer.EndToEnd.Tests.FSharpProgramTests

open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recording = lazy (Cli.record "Interpreter" [])

/// `load` also fails on any compiler-generated function name.
let private trace =
    lazy
        (let run, folder = recording.Value
         Expect.equal run.ExitCode 0 (sprintf "codetracer record Interpreter: %s" run.Stderr)
         load folder)

let private args name =
    match callsOf name trace.Value with
    | [] -> failtestf "no call of %s in %A" name trace.Value.Functions
    | calls -> calls |> List.map (fun c -> c.Args)

let private arg name parameter =
    args name |> List.map (fun a -> a |> List.find (fun (n, _) -> n = parameter) |> snd)

let private map = "Microsoft.FSharp.Collections.FSharpMap<string, MiniLisp.Value>"

let tests =
    testList "FSharpProgram" [
        test "the output is the unrecorded output, the trace valid" {
            let run, folder = recording.Value
            let plain = Cli.plain "Interpreter" []
            Expect.equal run.Stdout plain.Stdout "same stdout"
            let code, output = Cli.validate folder []
            Expect.equal code 0 output
        }
        test "closures, inner functions, generic closures, seq/task/async and object expressions are named after their function" {
            // A seq's GenerateNext and Close, a task's or async's pieces, all carry their function's name.
            let functions = trace.Value.Functions |> List.filter (fun f -> f <> "<toplevel>") |> List.distinct |> List.sort
            Expect.equal functions (List.sort [
                // A module's values are built by its static initializer; the lambdas in `builtins` capture nothing.
                "MiniLisp.Eval.<module init>()"
                "MiniLisp.Eval.builtins.<lambda 1>"; "MiniLisp.Eval.builtins.<lambda 2>"; "MiniLisp.Eval.builtins.<lambda 3>"
                "MiniLisp.Eval.builtins.<lambda 4>"; "MiniLisp.Eval.builtins.<lambda 5>"
                "MiniLisp.Eval.freeNames(MiniLisp.Expr)"
                // A member's inner function and lambda, under the member's type.
                $"MiniLisp.Eval.Evaluator..ctor({map})"
                $"MiniLisp.Eval.Evaluator.Eval({map}, MiniLisp.Expr)"
                "MiniLisp.Eval.Evaluator.Eval.lookup(string)"; "MiniLisp.Eval.Evaluator.Eval.<lambda 1>"
                "MiniLisp.Eval.Evaluator.get_Calls()"
                // An object expression's member.
                "MiniLisp.Eval.maxArgs(int)"; "MiniLisp.Eval.maxArgs.Check(MiniLisp.Expr)"
                "MiniLisp.Eval.define(Microsoft.FSharp.Collections.FSharpList<Tuple<string, MiniLisp.Expr>>)"
                "MiniLisp.Eval.define.<lambda 1>"
                // A seq { } that is the function's body is the function, as a C# iterator is.
                "MiniLisp.Lexer.tokenize(string)"
                "MiniLisp.Parser.parseExpr(Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>)"
                "MiniLisp.Parser.parseExpr.<lambda 1>"; "MiniLisp.Parser.parseExpr.<lambda 2>"
                "MiniLisp.Parser.parseExpr.items(Microsoft.FSharp.Collections.FSharpList<MiniLisp.Expr>, Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>)"
                // A generic inner function (a type function and its generic closure class).
                "MiniLisp.Parser.parseProgram(string)"
                "MiniLisp.Parser.parseProgram.orFail(string, Microsoft.FSharp.Core.FSharpResult<a, string>)"
                // A closure of a generic function, returned.
                "MiniLisp.Parser.sequenceOf.<lambda 1>"
                "MiniLisp.Parser.sequenceOf.step(Microsoft.FSharp.Core.FSharpFunc<Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>, Microsoft.FSharp.Core.FSharpResult<Tuple<a, Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>>, string>>, Microsoft.FSharp.Core.FSharpResult<Tuple<Microsoft.FSharp.Collections.FSharpList<a>, Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>>, string>)"
                "MiniLisp.Program.<module init>()"
                "MiniLisp.Program.load()"
                // task { } and async { }: their pieces are the function, as a C# async method's body is.
                $"MiniLisp.Program.evaluate({map}, string)"
                $"MiniLisp.Program.evaluateAll({map}, Microsoft.FSharp.Collections.FSharpList<string>)"
                // A seq { } inside a pipeline is a lambda of its function.
                "MiniLisp.Program.report(Microsoft.FSharp.Collections.FSharpList<MiniLisp.Definition>)"
                "MiniLisp.Program.report.<lambda 1>"
                "MiniLisp.Program.connect(Microsoft.FSharp.Collections.FSharpMap<string, string>)"
                "MiniLisp.Program.connect.Dispose()"
                "MiniLisp.Program.main(string[])"; "MiniLisp.Program.main.<lambda 1>" ]) "every function"
        }
        test "a seq's body shows its function's arguments" {
            Expect.contains (arg "MiniLisp.Lexer.tokenize(string)" "source") "(fact 5)" "the source of the last evaluation"
        }
        test "a Map is a sequence of (key, value) tuples in key order; a secret-looking key's value is redacted" {
            Expect.equal (arg "MiniLisp.Program.connect(Microsoft.FSharp.Collections.FSharpMap<string, string>)" "settings")
                [ "[(password, <redacted>), (target, console), (user, ada)]" ] "settings"
            Expect.contains trace.Value.Types (0, "Microsoft.FSharp.Collections.FSharpMap<string, string>") "a sequence type"
        }
        test "a Set is a sequence with a Set type" {
            let free = callsOf "MiniLisp.Eval.freeNames(MiniLisp.Expr)" trace.Value |> List.choose (fun c -> c.Returned) |> List.distinct
            Expect.contains free "[*, x]" "the names of (* x x)"
            Expect.contains trace.Value.Types (1, "Microsoft.FSharp.Collections.FSharpSet<string>") "Set type kind"
        }
        test "union cases with named fields show them by name, several levels down at the default depth" {
            let loaded = callsOf "MiniLisp.Program.load()" trace.Value |> List.exactlyOne
            Expect.equal loaded.Returned
                (Some(
                    "[{Name: square, Body: Lambda({parameters: [x], body: Call({head: Sym({name: *}), args: [Sym({name: x}), Sym({name: x})]})}), Free: [*]}, "
                    + "{Name: twice, Body: Lambda({parameters: [f, x], body: Call({head: Sym({name: f}), args: [Call({head: Sym({name: f}), args: [Sym({name: x})]})]})}), Free: []}, "
                    + "{Name: fact, Body: Lambda({parameters: [n], body: If({test: Call({head: Sym({name: <}), args: [Sym({name: n}), Num({value: 2})]}), whenTrue: Num({value: 1}), "
                    + "whenFalse: Call({head: Sym({name: *}), args: [Sym({name: n}), Call({head: Sym({name: fact}), args: [<depth limit>]})]})})}), Free: [*, +, <, fact]}]"))
                "the definitions"
        }
        test "a struct union shows only its case's fields" {
            let tokens = arg "MiniLisp.Parser.parseExpr(Microsoft.FSharp.Collections.FSharpList<MiniLisp.Token>)" "tokens" |> List.head
            Expect.equal tokens "[Open, Symbol({name: lambda}), Open, Symbol({name: x}), Close, Open, Symbol({name: *}), Symbol({name: x}), Symbol({name: x}), Close, Close]" "square's tokens"
        }
    ]
