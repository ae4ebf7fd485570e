/// The outcome words: one spelling per case, read back by the same table.
module CodeTracer.Core.Tests.OutcomeTests

open Expecto
open Microsoft.FSharp.Reflection
open CodeTracer.Core.Recording

let tests =
    testList "Outcome" [
        test "Outcome.all holds every case once, in declaration order" {
            let cases = FSharpType.GetUnionCases typeof<Outcome> |> Array.map (fun c -> c.Name) |> List.ofArray
            Expect.equal (Outcome.all |> List.map (fun o -> (FSharpValue.GetUnionFields(o, typeof<Outcome>) |> fst).Name)) cases "every case"
        }

        test "the words are recorder.md's: five a trace's metadata may say, and unrecorded for a run without the recorder" {
            Expect.equal (Outcome.all |> List.map Outcome.text) [ "complete"; "partial"; "truncated"; "disabled"; "failed"; "unrecorded" ] "the words"
        }

        testProperty "a word reads back as its outcome" <| fun (o: Outcome) ->
            Outcome.tryParse (Outcome.text o) = Some o

        testProperty "a word that is no outcome reads as none" <| fun (word: string) ->
            List.contains word (Outcome.all |> List.map Outcome.text) || Outcome.tryParse word = None
    ]
