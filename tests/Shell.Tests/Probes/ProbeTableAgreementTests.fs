/// The runtime may depend on nothing, so it mirrors the record and probe tables by hand:
/// these tests keep the copies equal (the bytes its writers lay out: RecordRoundTripTests).
module CodeTracer.Shell.Tests.ProbeTableAgreementTests

open System.Reflection
open Expecto
open CodeTracer.Core.Probes
open CodeTracer.Runtime

let private tagConstants =
    typeof<Tags>.GetFields(BindingFlags.Public ||| BindingFlags.Static)
    |> Array.map (fun f -> f.Name, f.GetValue(null) :?> byte)
    |> Map.ofArray

let tests =
    testList "Probe table agreement" [
        test "every record has a runtime tag of the same name and value" {
            for row in RecordTable.all do
                Expect.equal (tagConstants.TryFind row.Name) (Some row.Tag) (sprintf "Tags.%s" row.Name)
        }
        test "every runtime tag is a record of the table" {
            let rows = RecordTable.all |> List.map (fun r -> r.Name, r.Tag) |> Map.ofList
            for KeyValue(name, tag) in tagConstants do
                Expect.equal (rows.TryFind name) (Some tag) (sprintf "row %s" name)
        }
        test "tags and names are unique" {
            let tags = RecordTable.all |> List.map (fun r -> r.Tag)
            Expect.equal (List.distinct tags) tags "no two records share a tag"
            let names = RecordTable.all |> List.map (fun r -> r.Name)
            Expect.equal (List.distinct names) names "no two records share a name"
        }
        test "every probe the instrumenter calls exists with the table's parameter types" {
            for row in ProbeTable.all do
                let m = typeof<Probe>.GetMethod(row.RuntimeMethod, BindingFlags.Public ||| BindingFlags.Static)
                Expect.isNotNull m (sprintf "Probe.%s" row.RuntimeMethod)
                let parameters = m.GetParameters() |> Array.map (fun p -> p.ParameterType.FullName) |> List.ofArray
                Expect.equal parameters row.Parameters (sprintf "Probe.%s parameters" row.RuntimeMethod)
                let returns = if row.Returns = "" then typeof<System.Void>.FullName else row.Returns
                Expect.equal m.ReturnType.FullName returns (sprintf "Probe.%s returns" row.RuntimeMethod)
        }
        test "every public method of the runtime's Probe is a row of the table" {
            let rows = ProbeTable.all |> List.map (fun r -> r.RuntimeMethod) |> Set.ofList
            for m in typeof<Probe>.GetMethods(BindingFlags.Public ||| BindingFlags.Static ||| BindingFlags.DeclaredOnly) do
                Expect.isTrue (rows.Contains m.Name) (sprintf "Probe.%s has no row" m.Name)
        }
    ]
