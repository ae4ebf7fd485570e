module CodeTracer.Core.Tests.OutputFolderTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Recording

let private me = "codetracer-dotnet"

let private metadataOf (name: string) = sprintf """{"recording_id":"x","recorder":{"name":"%s","version":"0.1.0"}}""" name

/// Entry names: the trace's own files often, and what a user's folder holds.
let private entry : Gen<FolderEntry> =
    let names =
        Gen.elements
            [ "trace.bin"; "trace.json"; "trace_paths.json"; "trace_metadata.json"
              "Program.cs"; "App.dll"; "notes.txt"; "src"; ".git"; "trace.json.tmp"; "TRACE.JSON" ]
    Gen.zip names (Gen.elements [ true; true; true; false ]) |> Gen.map (fun (n, f) -> { Name = n; IsFile = f })

let private metadata : Gen<string option> =
    Gen.elements
        [ None; Some(metadataOf me); Some(metadataOf "codetracer-python"); Some "{not json"; Some "[]"
          Some """{"recorder":"codetracer-dotnet"}"""; Some "" ]

let private facts : Gen<OutputPathFacts> =
    Gen.frequency
        [ 1, Gen.constant NothingThere
          1, Gen.constant AFile
          6, Gen.zip (Gen.listOf entry |> Gen.map List.distinct) metadata |> Gen.map AFolder ]

let private encloses : Gen<string option> =
    Gen.frequency [ 4, Gen.constant None; 1, Gen.elements [ Some "the working directory"; Some "the program" ] ]

let private input = Arb.fromGen (Gen.zip encloses facts)

let private replaced = function ReplaceIt -> true | _ -> false

let tests =
    testList
        "Recording.OutputFolder"
        [ testProperty "a folder is replaced only when empty, or holding only trace files with metadata naming this recorder"
          <| Prop.forAll input (fun (encl, f) ->
              let expected =
                  match encl, f with
                  | None, AFolder([], _) -> true
                  | None, AFolder(entries, meta) ->
                      entries |> List.forall (fun e -> e.IsFile && OutputFolder.traceFiles.Contains e.Name)
                      && meta = Some(metadataOf me)
                  | _ -> false
              Expect.equal (replaced (OutputFolder.decide me encl f)) expected (sprintf "%A %A" encl f))

          testProperty "a folder holding the working directory or the program is never replaced, nor a file"
          <| Prop.forAll input (fun (encl, f) ->
              match OutputFolder.decide me encl f with
              | CreateIt -> Expect.equal f NothingThere "created only where nothing is"
              | ReplaceIt -> Expect.isNone encl "replaced only when it holds neither"
              | Refuse reason -> Expect.isNotEmpty reason "a reason")

          test "a user's folder is refused, naming what it holds" {
              match OutputFolder.decide me None (AFolder([ { Name = "Program.cs"; IsFile = true } ], None)) with
              | Refuse reason -> Expect.stringContains reason "'Program.cs'" "names the file"
              | other -> failtestf "expected a refusal, got %A" other
          }

          test "a trace of another recorder is refused, one of this recorder replaced" {
              let files = [ for n in [ "trace.json"; "trace_paths.json"; "trace_metadata.json" ] -> { Name = n; IsFile = true } ]
              Expect.equal (OutputFolder.decide me None (AFolder(files, Some(metadataOf me)))) ReplaceIt "ours"
              match OutputFolder.decide me None (AFolder(files, Some(metadataOf "codetracer-python"))) with
              | Refuse reason -> Expect.stringContains reason "codetracer-python" "names the other recorder"
              | other -> failtestf "expected a refusal, got %A" other
          } ]
