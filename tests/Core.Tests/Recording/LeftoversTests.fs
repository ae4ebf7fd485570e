module CodeTracer.Core.Tests.LeftoversTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Recording

let private config = Generators.config

let private recorder = "codetracer-dotnet"

let private stamp = Gen.map2 (fun pid started -> { Leftovers.Pid = pid; Leftovers.StartedAt = started }) (Gen.choose (1, 4_000_000)) (Gen.choose64 (0L, 640_000_000_000_000_000L))

let private owners =
    Gen.map2
        (fun name processes -> { Leftovers.Recorder = name; Leftovers.Processes = processes })
        (Gen.elements [ recorder; "codetracer-python"; "other-tool" ])
        (Gen.nonEmptyListOf stamp)

/// What became of a process since its owner file was written.
type Fate =
    | Running
    | Gone
    | Reused of delta: int64
    | Unreadable

let private fates =
    Gen.oneof [ Gen.constant Running; Gen.constant Gone; Gen.constant Unreadable; Gen.map Reused (Gen.choose64 (-1_000_000_000_000L, 1_000_000_000_000L)) ]

/// A system where each process of the owner met its fate (a reused id started `delta` ticks away).
let private system (owner: Leftovers.Owner) (fates: Fate list) : int -> Leftovers.ProcessState =
    let byPid =
        List.zip owner.Processes fates
        |> List.map (fun (p, fate) ->
            p.Pid,
            match fate with
            | Running -> Leftovers.StartedAt p.StartedAt
            | Gone -> Leftovers.NoProcess
            | Reused delta -> Leftovers.StartedAt(p.StartedAt + delta)
            | Unreadable -> Leftovers.StartUnknown)
        |> Map.ofList
    fun pid -> Map.tryFind pid byPid |> Option.defaultValue Leftovers.NoProcess

let private ownerAndFates =
    gen {
        let! owner = owners
        let owner = { owner with Processes = List.distinctBy (fun p -> p.Pid) owner.Processes }
        let! fates = Gen.listOfLength owner.Processes.Length fates
        return owner, fates
    }

let tests =
    testList
        "Recording.Leftovers"
        [ testPropertyWithConfig config "an owner file reads back as written"
          <| Prop.forAll (Arb.fromGen owners) (fun owner ->
              Expect.equal (Leftovers.parse (Leftovers.toText owner)) (Some owner) "round trip")

          testPropertyWithConfig config "a folder is stale exactly when this recorder made it and every process of it is gone or its id reused"
          <| Prop.forAll (Arb.fromGen ownerAndFates) (fun (owner, fates) ->
              let ended =
                  fates
                  |> List.forall (function
                      | Running | Unreadable -> false
                      | Gone -> true
                      | Reused delta -> abs delta > Leftovers.sameProcessWithin)
              let expected = owner.Recorder = recorder && ended
              Expect.equal (Leftovers.isStale recorder (system owner fates) (Some owner)) expected "stale")

          testPropertyWithConfig config "a folder whose recorder or program still runs is never stale, whatever else is gone"
          <| Prop.forAll (Arb.fromGen ownerAndFates) (fun (owner, fates) ->
              let fates = Running :: List.tail fates
              Expect.isFalse (Leftovers.isStale recorder (system owner fates) (Some owner)) "kept")

          testPropertyWithConfig config "a folder without a readable owner file is never removed"
          <| Prop.forAll (Arb.fromGen (Gen.elements [ ""; "recorder "; "recorder codetracer-dotnet"; "recorder codetracer-dotnet\nprocess 12"; "recorder codetracer-dotnet\nprocess x 1"; "process 1 2\n"; "hello\nworld" ])) (fun text ->
              Expect.isNone (Leftovers.parse text) "no owner"
              Expect.isFalse (Leftovers.isStale recorder (fun _ -> Leftovers.NoProcess) (Leftovers.parse text)) "kept")

          test "another process started at about the same time under the same id is the same process" {
              let owner = { Leftovers.Recorder = recorder; Leftovers.Processes = [ { Leftovers.Pid = 7; Leftovers.StartedAt = 1_000_000_000L } ] }
              Expect.isFalse (Leftovers.isStale recorder (fun _ -> Leftovers.StartedAt(1_000_000_000L + Leftovers.sameProcessWithin)) (Some owner)) "within"
              Expect.isTrue (Leftovers.isStale recorder (fun _ -> Leftovers.StartedAt(1_000_000_001L + Leftovers.sameProcessWithin)) (Some owner)) "beyond"
              Expect.equal (Leftovers.withProcess { Pid = 9; StartedAt = 5L } owner).Processes.Length 2 "added"
          } ]
