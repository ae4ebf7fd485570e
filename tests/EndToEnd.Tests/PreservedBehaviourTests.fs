/// The recorder must not change what the program does: what it writes next to itself is kept
/// (it runs from the staging copy), and a crash reads as it does unrecorded.
module CodeTracer.EndToEnd.Tests.PreservedBehaviourTests

open System.IO
open System.Text.Json
open Expecto

/// NextToExe's build output copied to a folder of this test's own, so the counter it keeps is this test's.
let private appCopy () =
    let built = Path.GetDirectoryName(Repo.program "NextToExe")
    let dir = Path.Combine(Repo.tempFolder (), "app")
    Directory.CreateDirectory dir |> ignore
    for file in Directory.GetFiles built do
        File.Copy(file, Path.Combine(dir, Path.GetFileName file))
    dir, Path.Combine(dir, "NextToExe.dll")

let private listing (dir: string) =
    Directory.GetFiles(dir, "*", SearchOption.AllDirectories) |> Array.map (fun f -> Path.GetRelativePath(dir, f)) |> Array.sort |> List.ofArray

/// NextToExe's lines `name value` as a map.
let private said (stdout: string) =
    stdout.Split('\n')
    |> Array.filter (fun l -> l.Contains " ")
    |> Array.map (fun l -> let i = l.IndexOf ' ' in l.Substring(0, i), l.Substring(i + 1))
    |> Map.ofArray

let private recordIn (tmp: string) (dll: string) =
    let out = Path.Combine(Repo.tempFolder (), "trace")
    let run = Cli.runWithEnv [ "TMPDIR", tmp ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; dll ] ""
    Expect.equal run.ExitCode 0 run.Stderr
    run, out

let private appFolder =
    testList "the program's own folder" [
        test "a counter the program keeps next to itself advances between recorded runs, in the user's folder, and nothing else is written there" {
            let dir, dll = appCopy ()
            let before = listing dir
            for expected in [ "1"; "2" ] do
                let run, _ = recordIn (Repo.tempFolder ()) dll
                Expect.equal (said run.Stdout).["count"] expected "the counter advanced"
            Expect.equal (File.ReadAllText(Path.Combine(dir, "counter.txt"))) "2" "kept in the user's folder"
            Expect.equal (listing dir) (List.sort ("counter.txt" :: before)) "only what the program wrote"
        }
        test "AppContext.BaseDirectory, AppDomain.BaseDirectory, Environment.ProcessPath and a file next to the program are as unrecorded; Assembly.Location names the staged copy (the documented exception)" {
            let plainDir, plainDll = appCopy ()
            let plain = Cli.run "dotnet" [ plainDll ] ""
            Expect.equal plain.ExitCode 0 plain.Stderr
            let dir, dll = appCopy ()
            let tmp = Repo.tempFolder ()
            let recorded, _ = recordIn tmp dll
            let unrecorded, recorded = said plain.Stdout, said recorded.Stdout
            let inFolder (folder: string) (text: string) = text.Replace(folder, "<app>")
            for name in [ "base"; "domain"; "greeting"; "process" ] do
                Expect.equal (inFolder dir recorded.[name]) (inFolder plainDir unrecorded.[name]) name
            Expect.equal recorded.["base"] (dir + string Path.DirectorySeparatorChar) "the user's folder, with its trailing separator"
            Expect.equal unrecorded.["location"] plainDll "unrecorded: the program's own file"
            Expect.stringStarts recorded.["location"] (Path.Combine(tmp, "ct-stage-")) "recorded: the instrumented copy in the staging folder"
            Expect.equal (Path.GetFileName recorded.["location"]) "NextToExe.dll" "the same file name"
        }
    ]

let private crash =
    testList "a crash" [
        test "a stack overflow prints the runtime's folded frames as unrecorded, not one line per frame, and the recorder says the program crashed" {
            let plain = Cli.plain "Faults" [ "overflow" ]
            let run, out = Cli.record "Faults" [ "overflow" ]
            let lines (text: string) = text.Split('\n') |> Array.filter ((<>) "")
            let frames (text: string) = lines text |> Array.filter (fun l -> l.StartsWith "   at ") |> List.ofArray
            Expect.isLessThan (lines run.Stderr).Length 20 run.Stderr
            Expect.stringContains run.Stderr "Repeated " "folded"
            Expect.equal (frames run.Stderr) (frames plain.Stderr) "the frames the runtime prints unrecorded"
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.stringContains run.Stderr "codetracer: the program crashed: System.StackOverflowException\n" "the recorder says so"
            Expect.stringContains run.Stderr "the program exited with 134" "and how it ended"
            let valid, output = Cli.validate out [ "--partial" ]
            Expect.equal valid 0 output
            let notes = (TraceView.metadata out).GetProperty("notes")
            Expect.equal (notes.GetProperty("program_fault").GetString()) "unhandled exception System.StackOverflowException" "in the trace"
            Expect.equal (notes.GetProperty("termination").GetString()) "killed by signal 6" "the runtime aborts"
        }
    ]

let tests = testList "Preserved behaviour" [ appFolder; crash ]
