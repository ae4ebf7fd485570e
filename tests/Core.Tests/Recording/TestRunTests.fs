module CodeTracer.Core.Tests.TestRunTests

open System.Xml.Linq
open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Recording

let private config = Generators.config

/// The environment variables a run settings text gives the test host, in order.
let private environmentOf (settings: string) =
    let doc = XDocument.Parse(settings, LoadOptions.PreserveWhitespace)
    [ for e in doc.Root.Elements(XName.Get "RunConfiguration").Elements(XName.Get "EnvironmentVariables").Elements() ->
          e.Name.LocalName, e.Value ]

let private variableNames = Gen.elements [ "DOTNET_STARTUP_HOOKS"; "CODETRACER_RAW_LOG"; "CODETRACER_MAX_DEPTH"; "USER_VAR"; "A" ]

/// Any text, including XML's special characters (control characters are not allowed in XML 1.0).
let private values =
    Gen.elements [ 'a'; 'z'; '0'; '/'; ' '; '<'; '>'; '&'; '"'; '\''; 'é'; '→' ]
    |> Gen.listOf
    |> Gen.map (fun cs -> System.String(List.toArray cs))

let private variables = Gen.listOf (Gen.zip variableNames values)

/// A user's settings: other run configuration and test parameters, with or without variables of their own.
let private userSettings =
    Gen.map
        (fun (own: (string * string) list) ->
            let env = own |> List.map (fun (k, v) -> sprintf "<%s>%s</%s>" k (System.Security.SecurityElement.Escape v) k) |> String.concat ""
            sprintf
                "<?xml version=\"1.0\"?><RunSettings><RunConfiguration><MaxCpuCount>1</MaxCpuCount><EnvironmentVariables>%s</EnvironmentVariables></RunConfiguration><TestRunParameters><Parameter name=\"url\" value=\"x\" /></TestRunParameters></RunSettings>"
                env)
        (Gen.listOf (Gen.zip (Gen.elements [ "USER_VAR"; "A"; "CODETRACER_RAW_LOG" ]) values) |> Gen.map (List.distinctBy fst))

/// The last value given for each name, in the order names first appear.
let private lastWins (pairs: (string * string) list) =
    pairs |> List.map fst |> List.distinct |> List.map (fun k -> k, pairs |> List.findBack (fst >> (=) k) |> snd)

let tests =
    testList
        "Recording.TestRun"
        [ testPropertyWithConfig config "a new settings file gives the test host exactly the variables asked for"
          <| Prop.forAll (Arb.fromGen variables) (fun vars ->
              match TestRun.withEnvironment None vars with
              | Ok text -> Expect.equal (environmentOf text) (lastWins vars) "variables"
              | Error e -> failtest e)

          testPropertyWithConfig config "the user's settings are kept; our variables replace theirs of the same name"
          <| Prop.forAll (Arb.fromGen (Gen.zip userSettings variables)) (fun (user, vars) ->
              match TestRun.withEnvironment (Some user) vars with
              | Ok text ->
                  let theirs = environmentOf user
                  Expect.equal (environmentOf text) (lastWins (theirs @ vars)) "theirs, then ours"
                  let doc = XDocument.Parse text
                  Expect.equal (doc.Root.Element(XName.Get "RunConfiguration").Element(XName.Get "MaxCpuCount").Value) "1" "their configuration"
                  Expect.isNotNull (doc.Root.Element(XName.Get "TestRunParameters")) "their parameters"
              | Error e -> failtest e)

          test "bad user settings are an error naming the line and position" {
              match TestRun.withEnvironment (Some "<RunSettings>\n  <RunConfiguration>\n</RunSettings>") [ "A", "1" ] with
              | Error e -> Expect.stringContains e "Line 3" "where"
              | Ok _ -> failtest "accepted broken XML"
              match TestRun.withEnvironment (Some "<Settings />") [] with
              | Error e -> Expect.stringContains e "expected <RunSettings>" "root"
              | Ok _ -> failtest "accepted another root"
          }

          testPropertyWithConfig config "splitting out --settings keeps every other argument in order"
          <| Prop.forAll (Arb.fromGen (Gen.listOf (Gen.elements [ "--filter"; "Name~Cart"; "-v"; "n"; "--settings"; "-s"; "a.runsettings"; "--settings:b.runsettings"; "--" ]))) (fun args ->
              let settings, rest = TestRun.splitSettings args
              let isSettings (a: string) = a = "--settings" || a = "-s" || a.StartsWith "--settings:"
              Expect.isFalse (rest |> List.exists (fun a -> a.StartsWith "--settings:")) "no inline settings left"
              if not (args |> List.exists isSettings) then
                  Expect.equal (settings, rest) (None, args) "nothing taken")

          test "the forms of --settings" {
              Expect.equal (TestRun.splitSettings [ "--filter"; "X"; "--settings"; "my.runsettings"; "-v"; "q" ]) (Some "my.runsettings", [ "--filter"; "X"; "-v"; "q" ]) "long"
              Expect.equal (TestRun.splitSettings [ "-s"; "a"; "--settings:b" ]) (Some "b", []) "the last counts"
              Expect.equal (TestRun.runnerArgs "T.dll" (Some "ct.runsettings") [ "--filter"; "X" ]) [ "test"; "T.dll"; "--settings"; "ct.runsettings"; "--filter"; "X" ] "recorded"
              Expect.equal (TestRun.runnerArgs "T.dll" None [ "-s"; "u.runsettings" ]) [ "test"; "T.dll"; "-s"; "u.runsettings" ] "unrecorded: the user's arguments as given"
          } ]
