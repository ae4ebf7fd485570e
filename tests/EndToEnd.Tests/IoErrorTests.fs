/// Every IO error a sentence: hostile inputs (FIFOs, devices, folders, binary and huge
/// files, link loops, unwritable log files) give one located line and the right exit
/// code, never a stack trace, a hang or a folder left behind.
module CodeTracer.EndToEnd.Tests.IoErrorTests

open System
open System.IO
open Expecto

/// One line naming the code; no .NET exception or stack trace.
let private oneLine (run: Cli.Run) (exitCode: int) (code: string) =
    Expect.equal run.ExitCode exitCode run.Stderr
    Expect.stringContains run.Stderr code "error code"
    Expect.equal (run.Stderr.Trim().Split('\n').Length) 1 ("one line: " + run.Stderr)
    for leak in [ "   at "; "Exception:"; "Unhandled" ] do
        Expect.isFalse (run.Stderr.Contains leak) ("no exception text: " + run.Stderr)

/// A named pipe nobody writes to: opening it for reading would block forever.
let private fifo () =
    let path = Path.Combine(Repo.tempFolder (), "pipe.toml")
    let made = Cli.run "mkfifo" [ path ] ""
    Expect.equal made.ExitCode 0 made.Stderr
    path

/// Records with a temporary folder of its own (TMPDIR), where the staging folder goes;
/// returns the run and what is left in that folder.
let private recordAlone (out: string) (app: string) =
    let tmp = Repo.tempFolder ()
    let run = Cli.runWithEnv [ "TMPDIR", tmp ] "dotnet" [ Repo.cliDll; "record"; "-o"; out; app ] ""
    run, Directory.GetFileSystemEntries tmp

let private checkFilter (path: string) = Cli.codetracer [ "filters"; "check"; path ]

let filters =
    testList "Filter files" [
        test "a folder given as a filter says it is a folder" {
            let run = checkFilter (Repo.tempFolder ())
            oneLine run 2 "is a folder"
        }
        test "a FIFO given as a filter is refused at once, for check and record" {
            let pipe = fifo ()
            let clock = Diagnostics.Stopwatch.StartNew()
            oneLine (checkFilter pipe) 2 "not a regular file"
            oneLine (Cli.codetracer [ "record"; "-o"; Path.Combine(Repo.tempFolder (), "t"); "--trace-filter"; pipe; Repo.program "ExitCode" ]) 2 "ERR_INVALID_FILTER"
            Expect.isLessThan clock.Elapsed.TotalSeconds 30.0 "no hang"
        }
        test "/dev/zero as a filter is refused without reading it all" {
            if not (File.Exists "/dev/zero") then skiptest "no /dev/zero"
            oneLine (checkFilter "/dev/zero") 2 "not a regular file"
        }
        test "a binary filter says binary, a non-UTF-8 one says not UTF-8" {
            let folder = Repo.tempFolder ()
            let binary = Path.Combine(folder, "binary.toml")
            File.WriteAllBytes(binary, [| 0x5buy; 0x73uy; 0x00uy; 0x01uy; 0x5duy |])
            oneLine (checkFilter binary) 2 "binary"
            let latin1 = Path.Combine(folder, "latin1.toml")
            File.WriteAllBytes(latin1, Text.Encoding.Latin1.GetBytes "[meta]\nname = \"caf\u00e9\"\n")
            let run = checkFilter latin1
            oneLine run 2 "not UTF-8"
            Expect.isFalse (run.Stderr.Contains "surrogate") "not reported as a surrogate"
        }
        test "a field pattern the runtime could not build is refused by filters check, located, so the recording is never detached by it" {
            let filter = Path.Combine(Repo.tempFolder (), "fields.toml")
            let pattern = String.replicate 2000 "*a"
            File.WriteAllText(
                filter,
                sprintf "[meta]\nname = \"f\"\nversion = 1\n[scope]\ndefault_exec = \"trace\"\n[[scope.rules]]\nselector = \"pkg:*\"\n[[scope.rules.value_patterns]]\nselector = \"field:glob:%s\"\naction = \"redact\"\n" pattern)
            let run = checkFilter filter
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr (filter + ":9:") "located"
            Expect.stringContains run.Stderr "too large for the recorder's runtime" "says why"
        }
        test "a filter over the size cap is refused with the cap" {
            let big = Path.Combine(Repo.tempFolder (), "big.toml")
            let comment = Text.Encoding.ASCII.GetBytes((String('#', 1023)) + "\n")
            do
                use f = File.Create big
                for _ in 1 .. 65 * 1024 do
                    f.Write(comment, 0, comment.Length)
            oneLine (checkFilter big) 2 "larger than 64 MB"
        }
    ]

let inputs =
    testList "Targets and the application folder" [
        test "a FIFO as the target is refused at once" {
            let pipe = fifo ()
            oneLine (Cli.codetracer [ "record"; "-o"; Path.Combine(Repo.tempFolder (), "t"); pipe ]) 2 "ERR_TARGET_NOT_MANAGED"
        }
        test "a symbolic link loop in the application folder is copied as a link: the program is recorded, no staging left" {
            let app = Path.Combine(Repo.tempFolder (), "app")
            let from = Path.GetDirectoryName(Repo.program "ExitCode")
            Directory.CreateDirectory app |> ignore
            for file in Directory.GetFiles from do
                File.Copy(file, Path.Combine(app, Path.GetFileName file))
            Directory.CreateSymbolicLink(Path.Combine(app, "loop"), ".") |> ignore
            File.CreateSymbolicLink(Path.Combine(app, "a"), "b") |> ignore
            File.CreateSymbolicLink(Path.Combine(app, "b"), "a") |> ignore
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run, left = recordAlone out (Path.Combine(app, "ExitCode.dll"))
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.isTrue (File.Exists(Path.Combine(out, "trace_metadata.json"))) "recorded"
            Expect.isEmpty left "no staging folder left"
        }
        test "a FIFO in the application folder: one line naming it, no staging left" {
            let app = Path.Combine(Repo.tempFolder (), "app")
            let from = Path.GetDirectoryName(Repo.program "ExitCode")
            Directory.CreateDirectory app |> ignore
            for file in Directory.GetFiles from do
                File.Copy(file, Path.Combine(app, Path.GetFileName file))
            let made = Cli.run "mkfifo" [ Path.Combine(app, "ipc") ] ""
            Expect.equal made.ExitCode 0 made.Stderr
            let run, left = recordAlone (Path.Combine(Repo.tempFolder (), "trace")) (Path.Combine(app, "ExitCode.dll"))
            oneLine run 1 "ERR_IO"
            Expect.stringContains run.Stderr "ipc" "names the file"
            Expect.isEmpty left "no staging folder left"
        }
    ]

let logFile =
    testList "Log file" [
        for source in [ "--log-file"; "CODETRACER_LOG_FILE" ] ->
            test (sprintf "an unwritable %s: one ERR_IO line, exit 1, the program not run" source) {
                let unwritable = Path.Combine(Repo.tempFolder (), "no-such-folder", "log.jsonl")
                let out = Path.Combine(Repo.tempFolder (), "trace")
                let args, env =
                    if source = "--log-file" then [ "--log-file"; unwritable ], []
                    else [], [ "CODETRACER_LOG_FILE", unwritable ]
                let run =
                    Cli.runWithEnv env "dotnet" ([ Repo.cliDll; "record"; "-o"; out; "--log-level"; "info" ] @ args @ [ Repo.program "ExitCode" ]) ""
                oneLine run 1 "ERR_IO"
                Expect.stringContains run.Stderr source "names where the path came from"
                Expect.equal run.Stdout "" "the program did not run"
            }
    ]

let tests = testList "IO errors" [ filters; inputs; logFile ]
