module CodeTracer.Core.Tests.TestFrameworksTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.TraceFilter

let private config = FilterGenerators.config

let private markerNames =
    [ "xunit.core"; "xunit.v3.core"; "nunit.framework"; "Microsoft.VisualStudio.TestPlatform.TestFramework"; "MSTest.TestFramework" ]

let private otherNames =
    [ "Cart"; "xunit.assert"; "xunit.abstractions"; "testhost"; "Microsoft.Testing.Platform"; "Newtonsoft.Json"; "NUnit3.TestAdapter"; "nunit" ]

/// A folder's assembly names: markers and others, in any case and order.
let private folders : Gen<string list> =
    let name = Gen.elements (markerNames @ otherNames)
    let cased (n: string) = Gen.elements [ n; n.ToUpperInvariant(); n.ToLowerInvariant() ]
    Gen.listOf (name |> Gen.bind cased)

let tests =
    testList
        "TraceFilter.TestFrameworks"
        [ test "each framework is found by its marker assembly" {
              Expect.equal (TestFrameworks.detect [ "XunitCart"; "xunit.core"; "xunit.assert" ]) [ BuiltinFilter.Xunit ] "xunit 2"
              Expect.equal (TestFrameworks.detect [ "xunit.v3.core" ]) [ BuiltinFilter.Xunit ] "xunit 3"
              Expect.equal (TestFrameworks.detect [ "nunit.framework"; "NUnit3.TestAdapter" ]) [ BuiltinFilter.Nunit ] "nunit"
              Expect.equal (TestFrameworks.detect [ "Microsoft.VisualStudio.TestPlatform.TestFramework" ]) [ BuiltinFilter.Mstest ] "mstest 3"
              Expect.equal (TestFrameworks.detect [ "MSTest.TestFramework" ]) [ BuiltinFilter.Mstest ] "mstest 4"
              Expect.equal (TestFrameworks.detect [ "Cart"; "testhost" ]) [] "no framework"
          }

          testPropertyWithConfig config "the answer depends on the set of names only, whatever their case and order"
          <| Prop.forAll (Arb.fromGen folders) (fun names ->
              let detected = TestFrameworks.detect names
              Expect.equal (TestFrameworks.detect (List.rev names)) detected "order"
              Expect.equal (TestFrameworks.detect (names |> List.map (fun n -> n.ToUpperInvariant()))) detected "case"
              Expect.equal (List.distinct detected) detected "each once"
              Expect.isFalse (List.contains BuiltinFilter.Default detected) "never builtin-default")

          testPropertyWithConfig config "a framework is detected exactly when one of its markers is there"
          <| Prop.forAll (Arb.fromGen folders) (fun names ->
              let lower = names |> List.map (fun n -> n.ToLowerInvariant()) |> Set.ofList
              let has (ms: string list) = ms |> List.exists (fun m -> lower.Contains(m.ToLowerInvariant()))
              let detected = TestFrameworks.detect names
              Expect.equal (List.contains BuiltinFilter.Xunit detected) (has [ "xunit.core"; "xunit.v3.core" ]) "xunit"
              Expect.equal (List.contains BuiltinFilter.Nunit detected) (has [ "nunit.framework" ]) "nunit"
              Expect.equal
                  (List.contains BuiltinFilter.Mstest detected)
                  (has [ "Microsoft.VisualStudio.TestPlatform.TestFramework"; "MSTest.TestFramework" ])
                  "mstest")

          test "how the tests run" {
              Expect.equal (TestFrameworks.runner [ "xunit.core"; "testhost" ]) (Some TestRunner.VsTest) "xunit 2 under VSTest"
              Expect.equal (TestFrameworks.runner [ "xunit.v3.core"; "testhost"; "Microsoft.Testing.Platform" ]) (Some TestRunner.SelfHosted) "xunit 3"
              Expect.equal (TestFrameworks.runner [ "MSTest.TestFramework"; "Microsoft.Testing.Platform" ]) (Some TestRunner.SelfHosted) "MSTest runner"
              Expect.equal (TestFrameworks.runner [ "MSTest.TestFramework"; "Microsoft.Testing.Platform"; "testhost" ]) (Some TestRunner.VsTest) "MSTest under VSTest"
              Expect.equal (TestFrameworks.runner [ "nunit.framework" ]) None "nothing to run it"
              Expect.equal (TestFrameworks.runner [ "testhost"; "Microsoft.Testing.Platform" ]) None "no framework"
          }

          testPropertyWithConfig config "there is a runner only where there is a framework, and a host or platform to run it"
          <| Prop.forAll (Arb.fromGen folders) (fun names ->
              let lower = names |> List.map (fun n -> n.ToLowerInvariant()) |> Set.ofList
              let hosted = lower.Contains "testhost" || lower.Contains "microsoft.testing.platform" || lower.Contains "xunit.v3.core"
              Expect.equal (TestFrameworks.runner names).IsSome (hosted && not (TestFrameworks.detect names).IsEmpty) "runner"
              Expect.equal (TestFrameworks.runner (List.rev names)) (TestFrameworks.runner names) "order") ]
