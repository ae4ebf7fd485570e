/// Which test frameworks a test run uses, read off the assemblies beside the
/// test assembly, and so which built-in filters `record --test` applies.
[<RequireQualifiedAccess>]
module CodeTracer.Core.TraceFilter.TestFrameworks

/// The assembly that marks each framework (file name without `.dll`, any case).
let private markers =
    [ "xunit.core", BuiltinFilter.Xunit
      "xunit.v3.core", BuiltinFilter.Xunit
      "nunit.framework", BuiltinFilter.Nunit
      "Microsoft.VisualStudio.TestPlatform.TestFramework", BuiltinFilter.Mstest
      "MSTest.TestFramework", BuiltinFilter.Mstest ]

/// The framework filters for a folder holding these assembly names, in the
/// order xunit, nunit, mstest, each once; empty when no framework is there.
let detect (assemblyNames: string seq) : BuiltinFilter list =
    let names = assemblyNames |> Seq.map (fun n -> n.ToLowerInvariant()) |> Set.ofSeq
    let found =
        markers
        |> List.filter (fun (marker, _) -> names.Contains(marker.ToLowerInvariant()))
        |> List.map snd
        |> Set.ofList
    [ BuiltinFilter.Xunit; BuiltinFilter.Nunit; BuiltinFilter.Mstest ] |> List.filter found.Contains
