/// The C# side of the policy table: the builder C# makes layers with, and the public
/// `RecordingOptions`, each agree with the table row by row.
module CodeTracer.Shell.Tests.PolicyLayersTests

open System
open System.Collections.Generic
open System.Reflection
open Expecto
open Microsoft.FSharp.Reflection
open CodeTracer.Core.Policy
open CodeTracer.Shell
open CodeTracer.Shell.Session

/// `on_recorder_error` as C# names a parameter (`onRecorderError`) or a property (`OnRecorderError`).
let private camel (name: string) =
    let words = name.Split '_'
    words.[0] + (words.[1..] |> Array.map (fun w -> string (Char.ToUpperInvariant w.[0]) + w.Substring 1) |> String.concat "")

let private pascal (name: string) =
    let c = camel name
    string (Char.ToUpperInvariant c.[0]) + c.Substring 1

/// A value of a parameter's or property's type, other than null.
let private sample (t: Type) : obj =
    let t = Nullable.GetUnderlyingType t |> Option.ofObj |> Option.defaultValue t
    if t = typeof<bool> then box true
    elif t = typeof<int> then box 1
    elif t = typeof<int64> then box 1L
    elif t = typeof<string> then box "x"
    elif t.IsAssignableFrom typeof<List<string>> then box (List<string> [ "x" ])
    elif t.IsEnum then Enum.GetValues(t).GetValue 0
    elif FSharpType.IsUnion t then FSharpValue.MakeUnion(FSharpType.GetUnionCases(t).[0], [||])
    else failwithf "no sample of %s" t.Name

/// The rows a layer sets.
let private setIn (layer: PolicyLayer) =
    PolicySettings.all |> List.filter (fun s -> s.IsSetIn layer) |> List.map (fun s -> s.Name)

/// What RecordingOptions holds beside the policy.
let private recordingOnly =
    set [ "ProgramArgs"; "Activation"; "Test"; "FrameworkFilters"; "Configuration"; "Framework"; "Properties" ]

let tests =
    testList "PolicyLayers" [
        test "the builder has one optional parameter per row, named as the row, and each sets its row only" {
            let builder = typeof<CodeTracerRecorder>.Assembly.GetType("CodeTracer.Shell.Session.PolicyLayers").GetMethod("Of", BindingFlags.Static ||| BindingFlags.NonPublic)
            let parameters = builder.GetParameters()
            Expect.equal
                (parameters |> Array.map (fun p -> p.Name) |> List.ofArray)
                (PolicySettings.all |> List.map (fun s -> camel s.Name))
                "the table's rows in the table's order"
            Expect.isTrue (parameters |> Array.forall (fun p -> p.IsOptional)) "every parameter is optional"
            Expect.equal (builder.Invoke(null, Array.create parameters.Length null) :?> PolicyLayer) PolicyLayer.empty "no argument: the empty layer"
            for i, p in Array.indexed parameters do
                let args = Array.init parameters.Length (fun j -> if j = i then sample p.ParameterType else null)
                Expect.equal (setIn (builder.Invoke(null, args) :?> PolicyLayer)) [ PolicySettings.all.[i].Name ] p.Name
        }

        test "the builder's values arrive as given" {
            let layer = PolicyLayers.Of(maxDepth = 3, logFile = "log.jsonl", traceFilters = [ "a.toml"; "b.toml" ], format = TraceFormat.Json)
            Expect.equal (layer.MaxDepth, layer.LogFile, layer.TraceFilters, layer.Format) (Some 3, Some(Some "log.jsonl"), Some [ "a.toml"; "b.toml" ], Some TraceFormat.Json) "set"
        }

        test "RecordingOptions has a property per row the API offers, named as the row, and each sets its row only" {
            let properties = typeof<RecordingOptions>.GetProperties() |> Array.filter (fun p -> not (recordingOnly.Contains p.Name))
            Expect.equal
                (properties |> Array.map (fun p -> p.Name) |> Set.ofArray)
                (PolicySettings.all |> List.filter (fun s -> s.Api) |> List.map (fun s -> pascal s.Name) |> Set.ofList)
                "the rows with Api"
            Expect.equal (CodeTracerRecorder.Layer(RecordingOptions())) PolicyLayer.empty "no option: the empty layer"
            for p in properties do
                let options = RecordingOptions()
                p.SetValue(options, sample p.PropertyType)
                let row = PolicySettings.all |> List.find (fun s -> pascal s.Name = p.Name)
                Expect.equal (setIn (CodeTracerRecorder.Layer options)) [ row.Name ] p.Name
        }
    ]
