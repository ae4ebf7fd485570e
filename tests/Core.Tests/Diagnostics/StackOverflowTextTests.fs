/// A recorded program's stack overflow text, made to read as it does unrecorded.
module CodeTracer.Core.Tests.StackOverflowTextTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Diagnostics

let private config = { FsCheckConfig.defaultConfig with maxTest = 300 }

let private frame (name: string) = "   at " + name

/// A frame the recorder's runtime puts above the program's, and one it called.
let private probeFrames = [ frame "System.Runtime.CompilerServices.CastHelpers.LdelemaRef(System.Object[], IntPtr, Void*)"; frame "CodeTracer.Runtime.ThreadBuffer.Push()"; frame "CodeTracer.Runtime.Probe.Enter(Int32)" ]

/// Expands a folded text back into one line per frame.
let rec private expand (lines: string list) =
    match lines with
    | header :: sep :: rest when header.StartsWith "Repeated " && sep = StackOverflowText.separator ->
        let times = int (header.Split(' ').[1])
        let sequence = rest |> List.takeWhile ((<>) StackOverflowText.separator)
        let after = rest |> List.skip (sequence.Length + 1)
        List.replicate times sequence |> List.concat |> fun frames -> frames @ expand after
    | line :: rest -> line :: expand rest
    | [] -> []

/// A recursion's cycle of 1 to 3 distinct methods, repeated, under a tail of other frames.
let private stacks =
    gen {
        let! cycleLength = Gen.choose (1, 3)
        let cycle = [ for i in 1 .. cycleLength -> frame $"App.Program.Cycle{i}(Int32)" ]
        let! times = Gen.choose (2, 500)
        let! tailLength = Gen.choose (0, 4)
        let tail = [ for i in 1 .. tailLength -> frame $"App.Program.Caller{i}()" ]
        let! probed = Gen.elements [ true; false ]
        return cycle, times, tail, probed
    }
    |> Arb.fromGen

let tests =
    testList "Diagnostics.StackOverflowText" [
        testPropertyWithConfig config "recorded or not, the text reads as the runtime folds it unrecorded, and unfolds to the program's own frames"
        <| Prop.forAll stacks (fun (cycle, times, tail, probed) ->
            let programFrames = (List.replicate times cycle |> List.concat) @ tail
            let unrecorded = [ "before"; "Stack overflow." ] @ programFrames @ [ "after" ]
            let recorded = [ "before"; "Stack overflow." ] @ (if probed then probeFrames else []) @ programFrames @ [ "after" ]
            let folded = StackOverflowText.fold recorded
            folded = StackOverflowText.fold unrecorded
            && expand folded = unrecorded
            && folded.Length <= 3 + 3 + cycle.Length + tail.Length + 1)

        test "the runtime's own words: one method repeated, then the rest" {
            let frames = List.replicate 5 (frame "Faults.Program.Deeper(Int32)") @ [ frame "Faults.Program.Main(System.String[])" ]
            Expect.equal
                (StackOverflowText.fold ("Stack overflow." :: probeFrames @ frames))
                [ "Stack overflow."; "Repeated 5 times:"; StackOverflowText.separator; frame "Faults.Program.Deeper(Int32)"; StackOverflowText.separator; frame "Faults.Program.Main(System.String[])" ]
                "folded"
        }

        testPropertyWithConfig config "text without a stack overflow passes unchanged" <| fun (lines: NonNull<string> list) ->
            let lines = lines |> List.map (fun (NonNull l) -> l) |> List.filter ((<>) "Stack overflow.")
            StackOverflowText.fold lines = lines

        test "a short repetition is not folded when folding would not shorten it" {
            let frames = [ frame "A()"; frame "A()"; frame "Main()" ]
            Expect.equal (StackOverflowText.fold ("Stack overflow." :: frames)) ("Stack overflow." :: frames) "as the runtime does"
        }
    ]
