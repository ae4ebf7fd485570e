module FSharpValues.Program

type Person = { Name: string; Age: int }

type Shape =
    | Circle of radius: float
    | Rect of width: int * height: int
    | Empty

/// A union case with a secret-looking field: builtin-default redacts it.
type Credentials = Login of user: string * password: string

let signIn (attempt: Credentials) =
    match attempt with
    | Login(user, _) -> user.Length

type Light =
    | Red
    | Amber
    | Green

let describe (person: Person) (shape: Shape) (light: Light) (maybe: string option) (nothing: string option) (items: int list) (pair: int * string) =
    printfn "%s %d" person.Name items.Length
    person.Age

/// Closures: an inner function and lambdas capturing a parameter and a local, in a pipeline.
let scale (factor: int) (xs: int list) =
    let offset = factor + 1
    let addOffset x = x + offset
    let bump = fun y -> y * factor
    let weigh = fun a b -> a * b + offset
    xs
    |> List.map (fun x -> bump x)
    |> List.filter (fun x -> x > factor)
    |> List.map addOffset
    |> List.map2 weigh [ 1; 10 ]

[<EntryPoint>]
let main _ =
    let age = describe { Name = "Ada"; Age = 36 } (Rect(2, 3)) Amber (Some "five") None [ 1; 2; 3 ] (7, "seven")
    describe { Name = "Alan"; Age = 41 } (Circle 1.5) Red None (Some "one") [] (0, "") |> ignore
    describe { Name = "Grace"; Age = 85 } Empty Green None None [ 9 ] (1, "one") |> ignore
    printfn "scaled %A" (scale 2 [ 1; 2; 3 ])
    printfn "signed in %d" (signIn (Login("ada", "fs-secret-pw")))
    age - 36
