/// `dotnet pack` of the four shipped projects into a local feed, the `codetracer` tool
/// installed from it into a temporary tool path, and a program recorded with it.
module CodeTracer.EndToEnd.Tests.PackTests

open System.IO
open System.IO.Compression
open System.Text.RegularExpressions
open Expecto

/// The projects `build.fsx pack` packs: the tool and the Shell package with the packages it depends on.
let private projects =
    [ "src/Core.fs/CodeTracer.Core.fsproj", "CodeTracer.Core"
      "src/Runtime/CodeTracer.Runtime.csproj", "CodeTracer.Runtime"
      "src/Shell.CSharp/CodeTracer.Shell.csproj", "CodeTracer.Shell"
      "src/Cli/CodeTracer.Cli.fsproj", "codetracer" ]

/// The version every project is packed with (Directory.Build.props).
let private version () =
    let props = File.ReadAllText(Path.Combine(Repo.root, "Directory.Build.props"))
    Regex.Match(props, "<Version>([^<]+)</Version>").Groups.[1].Value

/// The names of the entries of a package.
let private entries (nupkg: string) =
    use zip = ZipFile.OpenRead nupkg
    [ for e in zip.Entries -> e.FullName ]

let private readEntry (nupkg: string) (name: string) =
    use zip = ZipFile.OpenRead nupkg
    use reader = new StreamReader(zip.GetEntry(name).Open())
    reader.ReadToEnd()

let tests =
    testList "Pack" [
        test "the packed codetracer tool installs from a local folder and records a program" {
            let temp = Repo.tempFolder ()
            try
                let feed = Path.Combine(temp, "feed")
                let v = version ()
                Expect.isNonEmpty v "a <Version> in Directory.Build.props"
                // The Debug build the other tests run is packed as is (--no-build): seconds, not a Release build.
                for project, _ in projects do
                    let r = Cli.run "dotnet" [ "pack"; project; "--no-build"; "-c"; "Debug"; "-o"; feed; "-v"; "q"; "-nologo" ] ""
                    Expect.equal r.ExitCode 0 (sprintf "dotnet pack %s: %s%s" project r.Stdout r.Stderr)
                let package id = Path.Combine(feed, sprintf "%s.%s.nupkg" id v)
                for _, id in projects do
                    Expect.isTrue (File.Exists(package id)) (sprintf "%s packed" id)
                for id in [ "CodeTracer.Core"; "CodeTracer.Runtime"; "CodeTracer.Shell" ] do
                    let files = entries (package id)
                    Expect.exists files (fun f -> f.StartsWith "lib/" && f.EndsWith(id + ".xml")) (sprintf "%s carries its XML docs: %A" id files)
                let shellSpec = readEntry (package "CodeTracer.Shell") "CodeTracer.Shell.nuspec"
                for dependency in [ "CodeTracer.Core"; "CodeTracer.Runtime" ] do
                    Expect.stringContains shellSpec (sprintf "id=\"%s\" version=\"%s\"" dependency v) "the Shell package depends on the Core and Runtime packages"
                Expect.exists (entries (package "codetracer")) (fun f -> f.EndsWith "/DotnetToolSettings.xml") "a dotnet tool package"

                // Only the local folder as a source (the tool package carries its dependencies),
                // and a private package cache, so no earlier install of this version is reused.
                let config = Path.Combine(temp, "nuget.config")
                File.WriteAllText(config, sprintf "<?xml version=\"1.0\" encoding=\"utf-8\"?><configuration><packageSources><clear /><add key=\"local\" value=\"%s\" /></packageSources></configuration>" feed)
                let toolPath = Path.Combine(temp, "tools")
                let install =
                    Cli.runWithEnv [ "NUGET_PACKAGES", Path.Combine(temp, "packages") ] "dotnet"
                        [ "tool"; "install"; "codetracer"; "--tool-path"; toolPath; "--configfile"; config; "--version"; v ] ""
                Expect.equal install.ExitCode 0 (sprintf "dotnet tool install: %s%s" install.Stdout install.Stderr)
                let tool = Path.Combine(toolPath, (if System.OperatingSystem.IsWindows() then "codetracer.exe" else "codetracer"))
                Expect.isTrue (File.Exists tool) "the tool's command is in the tool path"

                let out = Path.Combine(temp, "trace")
                let record = Cli.run tool [ "record"; "-o"; out; Repo.program "Recursion" ] ""
                Expect.equal record.ExitCode 0 record.Stderr
                Expect.equal record.Stdout "120 8\n" "the program ran"
                Expect.stringContains record.Stderr "complete trace" "the recorder's summary line"
                let code, output = Cli.validate out []
                Expect.equal code 0 (sprintf "ct-validate: %s" output)
            finally
                try Directory.Delete(temp, true) with _ -> ()
        }
    ]
