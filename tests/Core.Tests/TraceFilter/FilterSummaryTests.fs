module CodeTracer.Core.Tests.FilterSummaryTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common
open CodeTracer.Core.Recording
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

let private counts : Gen<KindCounts> =
    Gen.map4 (fun a l r f -> { Arg = a; Local = l; Ret = r; Field = f }) 
        (Gen.choose (0, 1000) |> Gen.map int64)
        (Gen.choose (0, 1000) |> Gen.map int64)
        (Gen.choose (0, 1000) |> Gen.map int64)
        (Gen.choose (0, 1000) |> Gen.map int64)

let private stats : Gen<FilterStats> =
    Gen.map4
        (fun s t r d -> { MethodsSkipped = s; MethodsTraced = t; ValueRedactions = r; ValueDrops = d })
        (Gen.choose (0, 1000) |> Gen.map int64)
        (Gen.choose (0, 1000) |> Gen.map int64)
        counts
        counts

let private decisions : Gen<(ValueKind * ValueAction) list> =
    Gen.listOf (Gen.zip (Gen.elements ValueKind.all) (Gen.elements [ ValueAction.Allow; ValueAction.Redact; ValueAction.Drop; ValueAction.Inherit ]))

let tests =
    testList
        "TraceFilter.FilterSummary"
        [ testPropertyWithConfig config "add is associative and commutative, with zero as identity"
          <| Prop.forAll (Arb.fromGen (Gen.three stats)) (fun (a, b, c) ->
              Expect.equal (FilterStats.add a (FilterStats.add b c)) (FilterStats.add (FilterStats.add a b) c) "associative"
              Expect.equal (FilterStats.add a b) (FilterStats.add b a) "commutative"
              Expect.equal (FilterStats.add FilterStats.zero a) a "zero")

          testPropertyWithConfig config "counting values counts redactions and drops per kind"
          <| Prop.forAll (Arb.fromGen decisions) (fun ds ->
              let s = ds |> List.fold (fun s (k, a) -> FilterStats.countValue k a s) FilterStats.zero
              for k in ValueKind.all do
                  let n a = ds |> List.filter (fun (k', a') -> k' = k && a' = a) |> List.length |> int64
                  Expect.equal (KindCounts.get k s.ValueRedactions) (n ValueAction.Redact) "redactions"
                  Expect.equal (KindCounts.get k s.ValueDrops) (n ValueAction.Drop) "drops"
              Expect.equal (s.MethodsSkipped, s.MethodsTraced) (0L, 0L) "no methods")

          test "the trace_filter JSON has the spec's shape" {
              let chain =
                  match FilterChain.create None [ Builtins.get BuiltinFilter.Default ] with
                  | Ok c -> c
                  | Error es -> failtestf "%A" es
              let stats =
                  FilterStats.zero
                  |> FilterStats.countMethod ExecDirective.Skip
                  |> FilterStats.countMethod ExecDirective.Skip
                  |> FilterStats.countMethod ExecDirective.Trace
                  |> FilterStats.countValue ValueKind.Arg ValueAction.Redact
                  |> FilterStats.countValue ValueKind.Local ValueAction.Drop
                  |> FilterStats.countValue ValueKind.Field ValueAction.Allow
              let summary = FilterSummary.ofChain chain |> FilterSummary.add stats
              let sha = FilterLoader.sha256Hex (Builtins.text BuiltinFilter.Default)
              Expect.equal
                  (JsonNode.render (FilterSummary.toJson summary))
                  ("{\n  \"filters\": [{\n    \"name\": \"builtin-default\",\n    \"path\": \"<builtin>\",\n    \"sha256\": \"" + sha
                   + "\",\n    \"version\": 1\n  }],\n  \"stats\": {\n    \"methods_skipped\": 2,\n    \"methods_traced\": 1,\n"
                   + "    \"value_redactions\": {\n      \"arg\": 1,\n      \"local\": 0,\n      \"ret\": 0,\n      \"field\": 0\n    },\n"
                   + "    \"value_drops\": {\n      \"arg\": 0,\n      \"local\": 1,\n      \"ret\": 0,\n      \"field\": 0\n    }\n  }\n}\n")
                  "rendered"
          } ]
