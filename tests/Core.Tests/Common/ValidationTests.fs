module CodeTracer.Core.Tests.ValidationTests

open Expecto
open CodeTracer.Core.Common

/// A result whose errors are labelled by the item, so the order of the errors shows.
let private check (n: int) : Result<int, string list> = if n % 3 = 0 then Error [ sprintf "e%d" n; sprintf "f%d" n ] else Ok(n * 2)

let tests =
    testList
        "Common.Validation"
        [ testPropertyWithConfig Generators.config "traverse: every value, or every error in order"
          <| fun (xs: int list) ->
              let expected =
                  match xs |> List.map check |> List.collect (function Error e -> e | Ok _ -> []) with
                  | [] -> Ok(xs |> List.map (fun n -> n * 2))
                  | errors -> Error errors
              Validation.traverse check xs = expected

          testPropertyWithConfig Generators.config "map2 keeps the errors of both sides, the first's first"
          <| fun (a: Result<int, string list>) (b: Result<int, string list>) ->
              let expected =
                  match a, b with
                  | Ok x, Ok y -> Ok(x - y)
                  | _ -> Error((match a with Error e -> e | Ok _ -> []) @ (match b with Error e -> e | Ok _ -> []))
              Validation.map2 (-) a b = expected

          test "validation { and! } reports every source; result { } stops at the first" {
              let twoErrors =
                  validation {
                      let! x = check 3
                      and! y = check 6
                      and! z = check 1
                      return x + y + z
                  }
              Expect.equal twoErrors (Error [ "e3"; "f3"; "e6"; "f6" ]) "both"
              let mutable evaluated = false
              let first =
                  result {
                      let! x = check 3
                      evaluated <- true
                      return x
                  }
              Expect.equal first (Error [ "e3"; "f3" ]) "the first"
              Expect.isFalse evaluated "nothing after the first error runs"
          } ]
