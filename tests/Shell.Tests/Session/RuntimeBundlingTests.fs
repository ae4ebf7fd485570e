module CodeTracer.Shell.Tests.RuntimeBundlingTests

open System.Text.Json
open Expecto
open CodeTracer.Shell.Session

let private deps =
    """{"runtimeTarget":{"name":".NETCoreApp,Version=v10.0","signature":""},"compilationOptions":{},
       "targets":{".NETCoreApp,Version=v10.0":{"App/1.0.0":{"runtime":{"App.dll":{}}},"Lib/2.0.0":{"runtime":{"Lib.dll":{}}}}},
       "libraries":{"App/1.0.0":{"type":"project"},"Lib/2.0.0":{"type":"package"}}}"""

let tests =
    testList "RuntimeBundling" [
        test "the runtime is added to the program's own runtime assets, nothing else changes" {
            let result = JsonDocument.Parse(RuntimeBundling.WithRuntime(deps, "CodeTracer.Runtime.dll")).RootElement
            let target = result.GetProperty("targets").GetProperty(".NETCoreApp,Version=v10.0")
            let app = [ for p in target.GetProperty("App/1.0.0").GetProperty("runtime").EnumerateObject() -> p.Name ]
            let lib = [ for p in target.GetProperty("Lib/2.0.0").GetProperty("runtime").EnumerateObject() -> p.Name ]
            Expect.equal app [ "App.dll"; "CodeTracer.Runtime.dll" ] "the program's assets"
            Expect.equal lib [ "Lib.dll" ] "other libraries untouched"
            Expect.equal (result.GetProperty("libraries").EnumerateObject() |> Seq.length) 2 "libraries untouched"
        }
        test "a deps.json without the expected shape is left as it was" {
            let odd = """{"targets":{}}"""
            Expect.equal (RuntimeBundling.WithRuntime(odd, "CodeTracer.Runtime.dll")) odd "unchanged"
        }
    ]
