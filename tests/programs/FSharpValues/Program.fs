module FSharpValues.Program

type Person = { Name: string; Age: int }

type Shape =
    | Circle of radius: float
    | Rect of width: int * height: int
    | Empty

type Light =
    | Red
    | Amber
    | Green

let describe (person: Person) (shape: Shape) (light: Light) (maybe: string option) (nothing: string option) (items: int list) (pair: int * string) =
    printfn "%s %d" person.Name items.Length
    person.Age

[<EntryPoint>]
let main _ =
    let age = describe { Name = "Ada"; Age = 36 } (Rect(2, 3)) Amber (Some "five") None [ 1; 2; 3 ] (7, "seven")
    describe { Name = "Alan"; Age = 41 } (Circle 1.5) Red None (Some "one") [] (0, "") |> ignore
    describe { Name = "Grace"; Age = 85 } Empty Green None None [ 9 ] (1, "one") |> ignore
    age - 36
