/// The runtime may depend on nothing, so it mirrors the probe table by hand:
/// these tests keep the two copies equal.
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
        test "every row that writes a record has a runtime tag of the same name and value" {
            for row in ProbeTable.all |> List.filter (fun r -> r.Tag <> 0uy) do
                Expect.equal (tagConstants.TryFind row.Name) (Some row.Tag) (sprintf "Tags.%s" row.Name)
        }
        test "every runtime tag is a row of the table" {
            let rows = ProbeTable.all |> List.map (fun r -> r.Name, r.Tag) |> Map.ofList
            for KeyValue(name, tag) in tagConstants do
                Expect.equal (rows.TryFind name) (Some tag) (sprintf "row %s" name)
        }
        test "tags are unique" {
            let tags = ProbeTable.all |> List.map (fun r -> r.Tag) |> List.filter ((<>) 0uy)
            Expect.equal (List.distinct tags) tags "no two rows share a tag"
        }
        test "every probe the instrumenter calls exists with the table's parameter type" {
            for row in ProbeTable.all |> List.filter (fun r -> r.RuntimeMethod <> "") do
                let m = typeof<Probe>.GetMethod(row.RuntimeMethod, BindingFlags.Public ||| BindingFlags.Static)
                Expect.isNotNull m (sprintf "Probe.%s" row.RuntimeMethod)
                let parameters = m.GetParameters() |> Array.map (fun p -> p.ParameterType.FullName) |> List.ofArray
                Expect.equal parameters row.Parameters (sprintf "Probe.%s parameters" row.RuntimeMethod)
                let returns = if row.Returns = "" then typeof<System.Void>.FullName else row.Returns
                Expect.equal m.ReturnType.FullName returns (sprintf "Probe.%s returns" row.RuntimeMethod)
        }
    ]
