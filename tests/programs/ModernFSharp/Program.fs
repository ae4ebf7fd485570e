// Every IL shape of F# 8–9 the recorder must instrument into valid code: task and async
// state machines, seq, a computation expression, active patterns, struct unions, inline
// and SRTP, byrefs, spans, object expressions. The end-to-end tests also force-JIT every
// method of the instrumented assembly.
module ModernFSharp.Program

open System
open System.Threading.Tasks

[<Struct>]
type Shape =
    | Circle of radius: float
    | Rect of width: float * height: float

let area shape =
    match shape with
    | Circle r -> Math.Round(Math.PI * r * r, 2)
    | Rect(w, h) -> w * h

[<Struct>]
type Temperature = { Celsius: float }

type Tree =
    | Leaf of int
    | Node of Tree * Tree

let rec sumTree tree =
    match tree with
    | Leaf v -> v
    | Node(l, r) -> sumTree l + sumTree r

// Active patterns: total, partial, parameterised.
let (|Even|Odd|) n = if n % 2 = 0 then Even else Odd

let (|Positive|_|) n = if n > 0 then Some n else None

[<return: Struct>]
let (|DivisibleBy|_|) d n = if n % d = 0 then ValueSome(n / d) else ValueNone

let describe n =
    match n with
    | DivisibleBy 15 q -> sprintf "fizzbuzz %d" q
    | Positive p & Even -> sprintf "even %d" p
    | Positive p -> sprintf "odd %d" p
    | _ -> "non-positive"

// A computation expression of our own.
type MaybeBuilder() =
    member _.Bind(x, f) = Option.bind f x
    member _.Return x = Some x
    member _.ReturnFrom x = x
    member _.Zero() = None

let maybe = MaybeBuilder()

let tryDivide a b = if b = 0 then None else Some(a / b)

let divideTwice a b c =
    maybe {
        let! x = tryDivide a b
        let! y = tryDivide x c
        return x + y
    }

// inline and SRTP.
let inline add (x: ^T) (y: ^T) = x + y

let inline nameOf (x: ^T) = (^T: (member Name: string) x)

type Named(name: string) =
    member _.Name = name

let inline sumAll (xs: ^T list) = List.fold (fun acc x -> acc + x) LanguagePrimitives.GenericZero xs

// seq, task, async.
let squares n =
    seq {
        for i in 1..n do
            if i % 2 = 1 then yield i * i
    }

let fetch (x: int) =
    task {
        do! Task.Yield()
        return x * 10
    }

let total () =
    task {
        let mutable sum = 0
        for i in 1..3 do
            let! v = fetch i
            sum <- sum + v
        return sum
    }

let valueTask () =
    backgroundTask {
        let! a = fetch 4
        return a + 1
    }

let slow x =
    async {
        do! Async.Sleep 1
        return x + 1
    }

// byrefs and spans.
let bump (x: byref<int>) = x <- x + 1

let readIn (x: inref<int>) = x * 2

let spanSum (span: ReadOnlySpan<int>) =
    let mutable sum = 0
    for i in 0 .. span.Length - 1 do
        sum <- sum + span.[i]
    sum

[<Struct; System.Runtime.CompilerServices.IsByRefLike>]
type Window =
    val Data: Span<int>
    new(data) = { Data = data }
    member w.First = w.Data.[0]

let objectExpression prefix =
    { new IFormattable with
        member _.ToString(format, _) = prefix + format }

[<EntryPoint>]
let main _ =
    printfn "areas %.2f %.2f" (area (Circle 1.0)) (area (Rect(2.0, 3.0)))
    printfn "temperature %A" { Celsius = 21.5 }
    printfn "tree %d" (sumTree (Node(Leaf 1, Node(Leaf 2, Leaf 3))))
    for n in [ 30; 4; 7; -2 ] do
        printfn "describe %s" (describe n)
    printfn "maybe %A %A" (divideTwice 100 5 2) (divideTwice 1 0 2)
    printfn "srtp %d %.1f %s %d" (add 1 2) (add 1.5 2.0) (nameOf (Named "n")) (sumAll [ 1; 2; 3 ])
    printfn "seq %A" (squares 6 |> List.ofSeq)
    printfn "task %d %d" (total().Result) (valueTask().Result)
    printfn "async %d" (slow 41 |> Async.RunSynchronously)
    let mutable counter = 1
    bump &counter
    let doubled = readIn &counter
    let numbers = [| 1; 2; 3 |]
    let window = Window(Span numbers)
    printfn "byref %d %d span %d window %d" counter doubled (spanSum (ReadOnlySpan numbers)) window.First
    printfn "object %s" ((objectExpression "fmt:").ToString("x", null))
    0
