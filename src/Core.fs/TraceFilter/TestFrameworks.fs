/// What `record --test` reads off the assemblies beside a test assembly: which
/// test frameworks it uses (so which built-in filters apply) and how its tests run.
namespace CodeTracer.Core.TraceFilter

/// How a test assembly's tests run.
[<RequireQualifiedAccess>]
type TestRunner =
    /// VSTest: `dotnet test` starts a test host process that loads the tests.
    | VsTest
    /// The test assembly is a program that runs its own tests (xUnit v3, Microsoft.Testing.Platform).
    | SelfHosted

[<RequireQualifiedAccess>]
module TestFrameworks =

    /// The assembly that marks each framework (file name without `.dll`, any case).
    let private markers =
        [ "xunit.core", BuiltinFilter.Xunit
          "xunit.v3.core", BuiltinFilter.Xunit
          "nunit.framework", BuiltinFilter.Nunit
          "Microsoft.VisualStudio.TestPlatform.TestFramework", BuiltinFilter.Mstest
          "MSTest.TestFramework", BuiltinFilter.Mstest ]

    let private lowered (names: string seq) = names |> Seq.map (fun n -> n.ToLowerInvariant()) |> Set.ofSeq

    /// The framework filters for a folder holding these assembly names, in the
    /// order xunit, nunit, mstest, each once; empty when no framework is there.
    let detect (assemblyNames: string seq) : BuiltinFilter list =
        let names = lowered assemblyNames
        let found =
            markers
            |> List.filter (fun (marker, _) -> names.Contains(marker.ToLowerInvariant()))
            |> List.map snd
            |> Set.ofList
        [ BuiltinFilter.Xunit; BuiltinFilter.Nunit; BuiltinFilter.Mstest ] |> List.filter found.Contains

    /// How the tests of a folder holding these assembly names run: xUnit v3 test
    /// assemblies are programs (under VSTest too they run in a process of their
    /// own), else a VSTest test host beside them means VSTest, else the Testing
    /// Platform means a program. None when there are no tests to run.
    let runner (assemblyNames: string seq) : TestRunner option =
        let names = lowered assemblyNames
        if List.isEmpty (detect assemblyNames) then None
        elif names.Contains "xunit.v3.core" then Some TestRunner.SelfHosted
        elif names.Contains "testhost" then Some TestRunner.VsTest
        elif names.Contains "microsoft.testing.platform" then Some TestRunner.SelfHosted
        else None
