/// Records tests/programs/AsyncLambdas: lambdas, a local function and closures under
/// readable names with their captured variables, async methods and an iterator as
/// calls of the user's method per resumption (recorder.md, "What is recorded" and the
/// function-name rules).
module CodeTracer.EndToEnd.Tests.AsyncLambdaTests

open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private recording = lazy (Cli.record "AsyncLambdas" [])

/// The recording, checked: exit code 0, valid and balanced for ct-validate.
let private recorded =
    lazy
        (let run, folder = recording.Value
         Expect.equal run.ExitCode 0 (sprintf "codetracer record AsyncLambdas: %s" run.Stderr)
         Expect.stringContains run.Stdout "outer 113" "the program ran as usual"
         let code, output = Cli.validate folder []
         Expect.equal code 0 (sprintf "ct-validate: %s" output)
         load folder)

let private line marker = Repo.lineOf "AsyncLambdas" marker

let private returnsOf name (t: Trace) =
    callsOf name t |> List.map (fun c -> defaultArg c.Returned "<no return>")

/// The values at the steps of a function on a line.
let private valuesAt name marker (t: Trace) =
    t.Steps |> List.filter (fun s -> s.Function = name && s.Line = line marker) |> List.map (fun s -> s.Values)

let private total = "Shop.Cart.Total(int)"
let private compute = "Shop.Program.ComputeAsync(int)"

let tests =
    testList "AsyncLambdas" [
        test "lambdas are numbered in source order within their method, the local function keeps its name" {
            let t = recorded.Value
            for name in [ "Shop.Cart.Total.<lambda 1>"; "Shop.Cart.Total.<lambda 2>"; "Shop.Cart.Total.<lambda 3>"; "Shop.Cart.Total.Round(int)" ] do
                Expect.contains t.Functions name "a readable function name"
            Expect.equal (callsOf "Shop.Cart.Total.<lambda 1>" t |> List.map (fun c -> c.Args)) [ [ "p", "3" ]; [ "p", "4" ]; [ "p", "5" ] ] "the Select lambda, once per price"
            Expect.equal (callsOf "Shop.Cart.Total.<lambda 2>" t |> List.map (fun c -> List.head c.Args)) [ "d", "6"; "d", "8"; "d", "10" ] "the ForEach lambda"
            Expect.equal (returnsOf "Shop.Cart.Total.Round(int)" t) [ "40" ] "the local function's result"
            Expect.equal (callsOf "Shop.Cart.Total.Round(int)" t |> List.map (fun c -> c.Args)) [ [ "value", "47" ] ] "its argument, no closure parameter"
        }

        test "captured variables show under their source names in the lambda and in the declaring method" {
            let t = recorded.Value
            match callsOf "Shop.Cart.Total.<lambda 3>" t with
            | [ call ] ->
                Expect.equal call.Args [ "price", "24"; "sum", "24"; "discount", "1" ] "the parameter, then the captured local and parameter; no closure `this`"
                Expect.equal call.Returned (Some "47") "its result"
            | calls -> failtestf "one call of <lambda 3> expected, got %A" calls
            match valuesAt total "return Round(apply(sum));" t with
            | values :: _ ->
                Expect.equal (values.TryFind "sum") (Some "24") "the captured local in the declaring method"
                Expect.equal (values.TryFind "discount") (Some "1") "the captured parameter"
                Expect.isFalse (values |> Map.exists (fun k _ -> k.StartsWith "CS$" || k.StartsWith "<")) "no closure local"
            | [] -> failtest "no step on the return line of Total"
        }

        test "lambdas of a generic method and lambdas in lambdas: readable names, every captured variable by its name" {
            let t = recorded.Value
            let only name =
                match callsOf name t with
                | [ call ] -> call
                | calls -> failtestf "one call of %s expected, got %A" name calls
            Expect.equal (only "Shop.Closures.Pick.<lambda 1>").Args [ "flag", "true"; "second", "right"; "first", "left" ] "the generic method's captured parameters"
            let inner = only "Shop.Closures.Pick.<lambda 2>"
            Expect.equal inner.Args [ "flag", "true"; "second", "right"; "first", "left" ] "the outer lambda's parameter, then the method's, through the closure's link"
            Expect.equal inner.Returned (Some "right") "T is a string here"
            let nested = only "Shop.Closures.Nested.<lambda 2>"
            Expect.equal nested.Args [ "x", "5"; "offset", "3"; "factor", "3"; "start", "10" ] "the outer lambda's local, then the method's local and parameter"
            Expect.equal nested.Returned (Some "28") "5 * 3 + 3 + 10"
            Expect.equal (only "Shop.Closures.Nested.<lambda 1>").Args [ "step", "2"; "factor", "3"; "start", "10" ] "the outer lambda"
        }

        test "each resumption of an async method is a call of the method returning <await>, then its result" {
            let t = recorded.Value
            // Resumptions run on pool threads, and the trace orders threads by chunk, not by time.
            Expect.equal (returnsOf compute t |> List.sort) (List.sort [ "<await>"; "<await>"; "112" ]) "two awaits, then the result"
            Expect.isTrue (callsOf compute t |> List.forall (fun c -> c.Args = [ "start", "5" ])) "the hoisted argument at every resumption"
            Expect.equal (returnsOf "Shop.Program.OuterAsync(int)" t |> List.sort) (List.sort [ "<await>"; "113" ]) "the caller awaits once"
            let main = returnsOf "Shop.Program.Main()" t
            Expect.equal (main |> List.filter ((=) "<completed>")) [ "<completed>" ] "a Task without a result completes as <completed>"
            Expect.isTrue (main |> List.forall (fun r -> r = "<await>" || r = "<completed>")) "every other resumption awaits"
        }

        test "hoisted locals keep their values across awaits" {
            let t = recorded.Value
            match valuesAt compute "return after;" t with
            | [ values ] ->
                Expect.equal (values.TryFind "before") (Some "6") "assigned before the first await"
                Expect.equal (values.TryFind "middle") (Some "12") "between the awaits"
                Expect.equal (values.TryFind "after") (Some "112") "after the second await"
            | other -> failtestf "one step on `return after;` expected, got %A" other
            match valuesAt "Shop.Program.OuterAsync(int)" "return inner + 1;" t with
            | [ values ] -> Expect.equal (values.TryFind "inner") (Some "112") "the awaited result"
            | other -> failtestf "one step on `return inner + 1;` expected, got %A" other
        }

        test "an iterator returns each yielded value, then <completed>" {
            let t = recorded.Value
            Expect.equal (returnsOf "Shop.Program.Squares(int)" t) [ "1"; "4"; "9"; "<completed>" ] "the yielded values in order"
            match valuesAt "Shop.Program.Squares(int)" "yield return square;" t with
            | values :: _ -> Expect.equal (values.TryFind "count") (Some "3") "the hoisted argument"
            | [] -> failtest "no step on the yield"
        }

        test "an async stream's resumptions return <await>, the yielded values, then <completed>" {
            let t = recorded.Value
            // The resumptions run on pool threads, whose chunks interleave as they were written:
            // which frame returns first across threads varies from run to run, what each returns does not.
            Expect.equal
                (returnsOf "Shop.Program.CountdownAsync(int)" t |> List.sort)
                (List.sort [ "<await>"; "2"; "<await>"; "1"; "<completed>" ])
                "two suspensions, the yielded 2 and 1, then completion"
        }

        test "no compiler-generated name in any function name" {
            let t = recorded.Value
            let generated = t.Functions |> List.filter TraceView.isCompilerGenerated
            Expect.isEmpty generated "function names as the user wrote them"
        }
    ]
