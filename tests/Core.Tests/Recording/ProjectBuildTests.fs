module CodeTracer.Core.Tests.ProjectBuildTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Recording

let private config = Generators.config

let private text (chars: char list) = Gen.elements chars |> Gen.listOf |> Gen.map (fun cs -> System.String(List.toArray cs))

/// MSBuild property names: a letter or `_`, then letters, digits, `_`, `-`.
let private names =
    Gen.map2 (fun (first: char) (rest: string) -> string first + rest) (Gen.elements [ 'A'; 'z'; '_' ]) (text [ 'a'; 'Z'; '0'; '9'; '_'; '-' ])

/// Any value, `=`, `;` and spaces included.
let private values = text [ 'a'; '1'; '='; ';'; ' '; '/'; '"'; 'é' ]

let private options =
    Gen.map3
        (fun c f ps -> { ProjectBuild.Configuration = c; ProjectBuild.Framework = f; ProjectBuild.Properties = ps })
        (Gen.optionOf (Gen.elements [ "Debug"; "Release"; "Custom" ]))
        (Gen.optionOf (Gen.elements [ "net10.0"; "net8.0" ]))
        (Gen.listOf (Gen.zip names values))

/// `file(line,col): error CODE: message [project]`, as MSBuild writes a compiler error.
let private errorLines =
    Gen.map3 (fun line code message -> sprintf "/src/App/Program.cs(%d,5): error CS%04d: %s [/src/App/App.csproj]" line code message)
        (Gen.choose (1, 400)) (Gen.choose (1, 9999)) (text [ 'a'; ' '; ';'; '\''; ':' ])

let private noise = Gen.elements [ ""; "Build FAILED."; "    0 Warning(s)"; "/src/App/Program.cs(3,1): warning CS0168: unused [/src/App/App.csproj]"; "Time Elapsed 00:00:01" ]

/// The located part of an error line: without the project MSBuild appends.
let private located (line: string) = line.Substring(0, line.LastIndexOf " [").TrimEnd()

let tests =
    testList
        "Recording.ProjectBuild"
        [ testPropertyWithConfig config "Name=Value is read back whatever the value holds"
          <| Prop.forAll (Arb.fromGen (Gen.zip names values)) (fun (name, value) ->
              Expect.equal (ProjectBuild.parseProperty (name + "=" + value)) (Ok(name, value)) "name and value")

          test "a property without = or with a bad name is an error quoting it" {
              for bad in [ "TreatWarningsAsErrors"; "=x"; "1st=x"; "a b=c"; "" ] do
                  match ProjectBuild.parseProperty bad with
                  | Error message -> Expect.stringContains message ("'" + bad + "'") "quoted"
                  | Ok parsed -> failtestf "%s accepted as %A" bad parsed
          }

          testPropertyWithConfig config "the build and the query for its program share configuration, framework and properties"
          <| Prop.forAll (Arb.fromGen options) (fun o ->
              let build = ProjectBuild.buildArgs "App.csproj" o
              let query = ProjectBuild.queryArgs "App.csproj" o
              let props (args: string list) = args |> List.filter (fun a -> a.StartsWith "-p:" && not (a.StartsWith "-p:Configuration=" || a.StartsWith "-p:TargetFramework="))
              let configuration = defaultArg o.Configuration "Debug"
              Expect.equal (List.take 2 build) [ "build"; "App.csproj" ] "dotnet build of the project"
              Expect.equal (build |> List.pairwise |> List.filter (fst >> (=) "-c") |> List.map snd) [ configuration ] "its configuration, Debug by default"
              Expect.contains query ("-p:Configuration=" + configuration) "the query's"
              Expect.equal (build |> List.pairwise |> List.filter (fst >> (=) "-f") |> List.map snd) (Option.toList o.Framework) "the framework when given"
              Expect.equal (query |> List.filter (fun a -> a.StartsWith "-p:TargetFramework=")) (o.Framework |> Option.map ((+) "-p:TargetFramework=") |> Option.toList) "the query's"
              let expected = o.Properties |> List.map (fun (n, v) -> sprintf "-p:%s=%s" n v)
              Expect.equal (props build) expected "every property, in order"
              Expect.equal (props query) expected "the same for the query")

          testPropertyWithConfig config "a failure shows its first distinct errors, located, and counts the rest"
          <| Prop.forAll (Arb.fromGen (Gen.listOf (Gen.oneof [ errorLines; noise ]))) (fun lines ->
              let shown, more = ProjectBuild.firstErrors (String.concat "\n" lines)
              let errors = lines |> List.filter (fun l -> l.Contains ": error ") |> List.map located |> List.distinct
              Expect.equal shown (List.truncate ProjectBuild.ShownErrors errors) "the first errors, without their project"
              Expect.equal more (max 0 (errors.Length - ProjectBuild.ShownErrors)) "how many more")

          test "an MSBuild error on the project itself is kept, located at the project" {
              let output = "/src/App/App.csproj : error NU1605: Detected package downgrade [/src/App/App.csproj]\r\n"
              Expect.equal (ProjectBuild.firstErrors output) ([ "/src/App/App.csproj : error NU1605: Detected package downgrade" ], 0) "one line"
          }

          test "the program is the TargetPath; several frameworks without --framework are named" {
              let o = ProjectBuild.defaults
              Expect.equal (ProjectBuild.program o "/b/App.dll\n" "") (Ok "/b/App.dll") "the path"
              match ProjectBuild.program o "" "net8.0;net10.0" with
              | Error message -> Expect.stringContains message "net8.0, net10.0: choose one with --framework" "both named"
              | Ok p -> failtestf "chose %s" p
              match ProjectBuild.program { o with Framework = Some "net9.0" } "" "net8.0;net10.0" with
              | Error message -> Expect.stringContains message "TargetPath is empty" "a framework it does not have"
              | Ok p -> failtestf "chose %s" p
          } ]
