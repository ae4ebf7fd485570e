/// The output folder: what the recorder may replace, and every check on it
/// made before the program runs. Each test plants what must survive.
module CodeTracer.EndToEnd.Tests.OutputFolderTests

open System
open System.IO
open Expecto

/// A copy of a program's build folder, so a test may point the output folder at it.
let private copyOfProgram (name: string) =
    let from = Path.GetDirectoryName(Repo.program name)
    let into = Path.Combine(Repo.tempFolder (), name)
    for file in Directory.GetFiles(from, "*", SearchOption.AllDirectories) do
        let target = Path.Combine(into, Path.GetRelativePath(from, file))
        Directory.CreateDirectory(Path.GetDirectoryName target) |> ignore
        File.Copy(file, target)
    Path.Combine(into, name + ".dll")

/// Every file under a folder with its content, to compare before and after.
let private snapshot (folder: string) =
    [ for f in Directory.GetFiles(folder, "*", SearchOption.AllDirectories) |> Array.sort -> f, File.ReadAllBytes f |> Convert.ToBase64String ]

/// A user's folder: a file and a subfolder with a file.
let private userFolder () =
    let folder = Path.Combine(Repo.tempFolder (), "mine")
    Directory.CreateDirectory(Path.Combine(folder, "src")) |> ignore
    File.WriteAllText(Path.Combine(folder, "notes.txt"), "my notes")
    File.WriteAllText(Path.Combine(folder, "src", "Program.cs"), "// my code")
    folder

/// Refused with a usage error before the program ran (ExitCode prints a line when it runs).
let private refusedBeforeRun (run: Cli.Run) (exitCode: int) (code: string) =
    Expect.equal run.ExitCode exitCode run.Stderr
    Expect.stringContains run.Stderr code "error code"
    Expect.equal (run.Stderr.Trim().Split('\n').Length) 1 ("one line: " + run.Stderr)
    Expect.equal run.Stdout "" "the program did not run"

/// No scratch or probe folder left beside the output folder.
let private noLitter (parent: string) =
    let hidden = Directory.GetFileSystemEntries parent |> Array.filter (fun p -> Path.GetFileName(p).StartsWith ".")
    Expect.isEmpty hidden "nothing hidden left beside the output folder"

let conflicts =
    testList "What may be replaced" [
        test "a folder of the user's files is refused and left untouched" {
            let folder = userFolder ()
            let before = snapshot folder
            let run = Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            refusedBeforeRun run 2 "ERR_TRACE_DIR_CONFLICT"
            Expect.stringContains run.Stderr "not a trace" "says why"
            Expect.equal (snapshot folder) before "every file is still there, unchanged"
        }
        test "-o . (the working directory) is refused, even when empty" {
            let workdir = Repo.tempFolder ()
            let run = Cli.runIn workdir [] "dotnet" [ Repo.cliDll; "record"; "-o"; "."; Repo.program "ExitCode" ] ""
            refusedBeforeRun run 2 "ERR_TRACE_DIR_CONFLICT"
            Expect.stringContains run.Stderr "the working directory" "names what it holds"
            Expect.isTrue (Directory.Exists workdir) "the working directory is still there"
            Expect.isEmpty (Directory.GetFileSystemEntries workdir) "and still empty"
        }
        test "the application's own folder is refused and left untouched" {
            let app = copyOfProgram "ExitCode"
            let folder = Path.GetDirectoryName app
            let before = snapshot folder
            refusedBeforeRun (Cli.codetracer [ "record"; "-o"; folder; app ]) 2 "ERR_TRACE_DIR_CONFLICT"
            Expect.equal (snapshot folder) before "the application is intact"
        }
        test "a trace folder with a file of the user's added is refused" {
            let run, folder = Cli.record "ExitCode" []
            Expect.equal run.ExitCode 0 run.Stderr
            File.WriteAllText(Path.Combine(folder, "my-notes.md"), "what I found")
            let before = snapshot folder
            refusedBeforeRun (Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]) 2 "ERR_TRACE_DIR_CONFLICT"
            Expect.equal (snapshot folder) before "the trace and the notes are intact"
        }
        test "a trace of another recorder is refused" {
            let folder = Path.Combine(Repo.tempFolder (), "py-trace")
            Directory.CreateDirectory folder |> ignore
            File.WriteAllText(Path.Combine(folder, "trace.json"), "[]")
            File.WriteAllText(Path.Combine(folder, "trace_metadata.json"), """{"recorder":{"name":"codetracer-python"}}""")
            let run = Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            refusedBeforeRun run 2 "ERR_TRACE_DIR_CONFLICT"
            Expect.stringContains run.Stderr "codetracer-python" "names the other recorder"
        }
        test "an empty folder and a trace of this recorder are replaced" {
            let folder = Path.Combine(Repo.tempFolder (), "trace")
            Directory.CreateDirectory folder |> ignore
            let first = Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            Expect.equal first.ExitCode 0 first.Stderr
            let id () = File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))
            let firstMetadata = id ()
            let second = Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            Expect.equal second.ExitCode 0 second.Stderr
            Expect.notEqual (id ()) firstMetadata "a new recording replaced the old one"
            noLitter (Path.GetDirectoryName folder)
        }
        test "a folder where a file system is mounted is refused before the program runs (root, Linux)" {
            let folder = Path.Combine(Repo.tempFolder (), "mounted")
            Directory.CreateDirectory folder |> ignore
            let mounted = Cli.run "mount" [ "-t"; "tmpfs"; "-o"; "size=4m"; "tmpfs"; folder ] ""
            if mounted.ExitCode <> 0 then skiptestf "cannot mount a tmpfs here: %s" mounted.Stderr
            try
                let run = Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
                refusedBeforeRun run 2 "ERR_TRACE_DIR_CONFLICT"
                Expect.stringContains run.Stderr "mount point" "says why"
            finally
                Cli.run "umount" [ folder ] "" |> ignore
        }
    ]

/// Makes a folder or file unwritable for the recorder: immutable as root (chmod does not
/// stop root), read-only otherwise. Skips the test when neither holds here.
let private unwritable (path: string) : IDisposable =
    let isRoot = Environment.UserName = "root"
    let undo () =
        if isRoot then Cli.run "chattr" [ "-i"; path ] "" |> ignore
        else File.SetUnixFileMode(path, UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute)
    if isRoot then Cli.run "chattr" [ "+i"; path ] "" |> ignore
    else File.SetUnixFileMode(path, UnixFileMode.UserRead ||| UnixFileMode.UserExecute)
    let probe = Path.Combine((if Directory.Exists path then path else Path.GetDirectoryName path), ".probe")
    let stillWritable =
        try
            if Directory.Exists path then File.WriteAllText(probe, "") else File.AppendAllText(path, "")
            true
        with _ -> false
    if stillWritable then
        undo ()
        if File.Exists probe then File.Delete probe
        skiptestf "%s cannot be made unwritable here" path
    { new IDisposable with member _.Dispose() = undo () }

let checksBeforeRun =
    testList "Checked before the program runs" [
        test "an output folder whose parent cannot be written: one line, exit 1, the program not run" {
            let parent = Repo.tempFolder ()
            use _ = unwritable parent
            let run = Cli.codetracer [ "record"; "-o"; Path.Combine(parent, "trace"); Repo.program "ExitCode" ]
            refusedBeforeRun run 1 "ERR_TRACE_DIR_CREATE_FAILED"
        }
        test "an older trace that cannot be removed: one line, exit 1, the program not run, the old trace intact" {
            let first, folder = Cli.record "ExitCode" []
            Expect.equal first.ExitCode 0 first.Stderr
            let before = snapshot folder
            let run =
                use _ = unwritable folder
                Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            refusedBeforeRun run 1 "ERR_TRACE_DIR_CREATE_FAILED"
            Expect.stringContains run.Stderr "older trace" "says what is in the way"
            Expect.equal (snapshot folder) before "the old trace is intact"
            noLitter (Path.GetDirectoryName folder)
        }
        test "an older trace with an immutable file: one line, exit 1, the program not run (root)" {
            let first, folder = Cli.record "ExitCode" []
            Expect.equal first.ExitCode 0 first.Stderr
            if Environment.UserName <> "root" then skiptest "only root can make a file immutable"
            let run =
                use _ = unwritable (Path.Combine(folder, "trace_paths.json"))
                Cli.codetracer [ "record"; "-o"; folder; Repo.program "ExitCode" ]
            refusedBeforeRun run 1 "ERR_TRACE_DIR_CREATE_FAILED"
            Expect.stringContains run.Stderr "trace_paths.json" "names the file"
            noLitter (Path.GetDirectoryName folder)
        }
    ]

let permissions =
    test "the published trace is private: folder 0700, files 0600, as the staging folder was" {
        if OperatingSystem.IsWindows() then skiptest "Unix modes"
        let run, folder = Cli.record "ExitCode" []
        Expect.equal run.ExitCode 0 run.Stderr
        let privateFolder = UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute
        Expect.equal (File.GetUnixFileMode folder) privateFolder "the folder"
        for file in Directory.GetFiles folder do
            Expect.equal (File.GetUnixFileMode file) (UnixFileMode.UserRead ||| UnixFileMode.UserWrite) file
    }

let tests = testList "Output folder" [ conflicts; checksBeforeRun; permissions ]
