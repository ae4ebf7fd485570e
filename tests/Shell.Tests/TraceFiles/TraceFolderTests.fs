module CodeTracer.Shell.Tests.TraceFolderTests

open System
open System.IO
open System.Threading
open Expecto
open CodeTracer.Shell.TraceFiles

let private temp () =
    let d = Path.Combine(Path.GetTempPath(), "ct-folder-" + Guid.NewGuid().ToString("N"))
    Directory.CreateDirectory d |> ignore
    d

/// A finished scratch folder whose trace.json says `text`.
let private scratchWith (outDir: string) (text: string) =
    let scratch = TraceFolder.CreateScratch(outDir, Guid.NewGuid().ToString("N"))
    File.WriteAllText(Path.Combine(scratch, "trace.json"), text)
    scratch

let tests =
    testList "TraceFiles.TraceFolder" [
        test "publishing moves the scratch folder into place and replaces an older trace" {
            let outDir = Path.Combine(temp (), "trace")
            TraceFolder.Publish(scratchWith outDir "first", outDir)
            Expect.equal (File.ReadAllText(Path.Combine(outDir, "trace.json"))) "first" "published"
            TraceFolder.Publish(scratchWith outDir "second", outDir)
            Expect.equal (File.ReadAllText(Path.Combine(outDir, "trace.json"))) "second" "replaced"
            Expect.equal (Directory.GetDirectories(Path.GetDirectoryName outDir).Length) 1 "no scratch or old folder left"
        }
        test "publishing a trace of the other format leaves no file of the first behind" {
            let outDir = Path.Combine(temp (), "trace")
            let binary = TraceFolder.CreateScratch(outDir, Guid.NewGuid().ToString("N"))
            File.WriteAllText(Path.Combine(binary, "trace.bin"), "binary")
            TraceFolder.Publish(binary, outDir)
            TraceFolder.Publish(scratchWith outDir "json", outDir)
            Expect.sequenceEqual (Directory.GetFiles outDir |> Array.map Path.GetFileName) [ "trace.json" ] "only trace.json"
            let binary = TraceFolder.CreateScratch(outDir, Guid.NewGuid().ToString("N"))
            File.WriteAllText(Path.Combine(binary, "trace.bin"), "binary")
            TraceFolder.Publish(binary, outDir)
            Expect.sequenceEqual (Directory.GetFiles outDir |> Array.map Path.GetFileName) [ "trace.bin" ] "only trace.bin"
        }
        test "a reader never finds the trace folder missing while a newer trace replaces it (Linux)" {
            if OperatingSystem.IsLinux() then
                let outDir = Path.Combine(temp (), "trace")
                TraceFolder.Publish(scratchWith outDir "0", outDir)
                let mutable missing = 0
                let mutable publishing = true
                let reader =
                    Thread(fun () ->
                        while Volatile.Read(&publishing) do
                            if not (File.Exists(Path.Combine(outDir, "trace.json"))) then Interlocked.Increment(&missing) |> ignore)
                reader.Start()
                for i in 1..300 do
                    TraceFolder.Publish(scratchWith outDir (string i), outDir)
                Volatile.Write(&publishing, false)
                reader.Join()
                Expect.equal missing 0 "the folder was always there"
                Expect.equal (File.ReadAllText(Path.Combine(outDir, "trace.json"))) "300" "the last trace"
        }
    ]
