using CodeTracer.Core.TraceFilter;
using Microsoft.FSharp.Collections;

namespace CodeTracer.Shell.Session;

/// <summary>What `--test` learns from the assemblies beside a test assembly: its frameworks, and how its tests run.</summary>
/// <param name="Frameworks">The built-in filters of its test frameworks.</param>
/// <param name="Runner">VSTest (`dotnet test`), or a program that runs its own tests.</param>
internal sealed record TestAssembly(IReadOnlyList<BuiltinFilter> Frameworks, TestRunner Runner)
{
    /// <summary>Reads the folder of <paramref name="testDll"/>; no framework or no way to run it is <c>ERR_NOT_A_TEST_ASSEMBLY</c>.</summary>
    public static TestAssembly Inspect(string testDll)
    {
        var names = Directory.EnumerateFiles(Path.GetDirectoryName(testDll)!, "*.dll")
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToArray();
        var runner = TestFrameworks.runner(names);
        if (runner is null) throw new RecorderException(Errors.NotATestAssembly(testDll));
        return new TestAssembly(ListModule.ToArray(TestFrameworks.detect(names)), runner.Value);
    }
}
