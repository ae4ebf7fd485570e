using Xunit;

namespace CodeTracer.Shell.CSharp.Tests;

/// <summary>
/// The facade as a C# consumer uses it: record, await the outcome, read the trace.
/// One class, so xUnit runs these recordings one after another (each records a real program).
/// </summary>
public sealed class FacadeTests : IDisposable
{
    /// <summary>A folder of this test's own (xUnit makes one instance per test), removed after it.</summary>
    private readonly string temp = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ct-csharp-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(temp, recursive: true);

    private static CancellationToken Cancelled => TestContext.Current.CancellationToken;

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CodeTracer.sln"))) return dir.FullName;
        throw new InvalidOperationException("CodeTracer.sln not found above the test binaries");
    }

    private static string Program(string name) => Path.Combine(Root(), "tests", "programs", name, name + ".csproj");

    /// <summary>The built Recursion.dll, else its project (which the recorder builds).</summary>
    private static string Recursion()
    {
        var dll = Path.Combine(Root(), "tests", "programs", "Recursion", "bin", "Debug", "net10.0", "Recursion.dll");
        return File.Exists(dll) ? dll : Program("Recursion");
    }

    [Fact(DisplayName = "Facade.records Recursion and reads its trace back")]
    public async Task RecordsRecursion()
    {
        var outDir = Path.Combine(temp, "trace");
        var outcome = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { OutDir = outDir, MaxDepth = 2 }, Cancelled);
        Assert.Null(outcome.ErrorCode);
        Assert.True(outcome.Succeeded);
        Assert.Equal(OutcomeKind.Complete, outcome.Outcome);
        Assert.StartsWith("complete: ", outcome.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal(0, outcome.ProgramExitCode);
        Assert.Equal(Path.GetFullPath(outDir), outcome.TraceDir);
        // <toplevel>, Main, 5 Factorial, 25 Fib.
        Assert.Equal(32L, outcome.Calls);

        var summary = CodeTracerRecorder.ReadTrace(outDir);
        Assert.Equal(OutcomeKind.Complete, summary.Outcome);
        Assert.Equal(0L, summary.ExitCode);
        Assert.Equal(5, summary.CallsOf("Recursion.Program.Factorial"));
        Assert.Equal(25, summary.CallsOf("Recursion.Program.Fib(int)"));
        Assert.Equal(outcome.Calls, summary.Calls);
        Assert.Equal(0, summary.OpenCalls);
        Assert.Equal("Recursion.Program.Fib(int)", summary.FunctionsByCalls[0].Function);
        Assert.True(File.Exists(Path.Combine(outDir, "trace.bin")) && !File.Exists(Path.Combine(outDir, "trace.json")), "trace.bin by default");

        var jsonDir = Path.Combine(temp, "json");
        var json = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { OutDir = jsonDir, MaxDepth = 2, Format = TraceFileFormat.Json }, Cancelled);
        Assert.True(json.Succeeded, "succeeded as JSON");
        Assert.True(File.Exists(Path.Combine(jsonDir, "trace.json")) && !File.Exists(Path.Combine(jsonDir, "trace.bin")), "trace.json when asked");
        var fromJson = CodeTracerRecorder.ReadTrace(jsonDir);
        Assert.Equal((summary.Events, summary.Steps, summary.Calls), (fromJson.Events, fromJson.Steps, fromJson.Calls));
    }

    [Fact(DisplayName = "Facade.a missing target is an error value with its code")]
    public async Task MissingTargetIsAnErrorValue()
    {
        var missing = Path.Combine(temp, "NoSuchApp.dll");
        var outcome = await CodeTracerRecorder.RecordAsync(missing, new RecordingOptions { OutDir = Path.Combine(temp, "trace") }, Cancelled);
        Assert.False(outcome.Succeeded);
        Assert.Equal("ERR_TARGET_NOT_FOUND", outcome.ErrorCode);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(OutcomeKind.Failed, outcome.Outcome);
        Assert.Null(outcome.TraceDir);
        Assert.Null(outcome.ProgramExitCode);
        Assert.Contains(missing, outcome.ErrorMessage);
        Assert.False(Directory.Exists(Path.Combine(temp, "trace")), "no trace folder written");
    }

    [Fact(DisplayName = "Facade.records a test run with a runner filter")]
    public async Task RecordsATestRun()
    {
        var outDir = Path.Combine(temp, "trace");
        var options = new RecordingOptions { OutDir = outDir, Test = true, ProgramArgs = ["--filter", "FullyQualifiedName~AddsTheLines"] };
        var outcome = await CodeTracerRecorder.RecordAsync(Program("NunitCart"), options, Cancelled);
        Assert.Null(outcome.ErrorCode);
        Assert.Equal(OutcomeKind.Complete, outcome.Outcome);
        Assert.Equal(0, outcome.ProgramExitCode);
        var summary = CodeTracerRecorder.ReadTrace(outDir);
        Assert.Equal(1, summary.CallsOf("NunitCart.CartTests.TotalAddsTheLines()"));
        Assert.Equal(0, summary.CallsOf("NunitCart.CartTests.TotalAppliesTheDiscount()"));
        Assert.Equal(1, summary.CallsOf("Shop.Cart.Total()"));
    }

    [Fact(DisplayName = "Facade.builds a project with the configuration and properties given")]
    public async Task BuildsTheProjectAsAsked()
    {
        var options = new RecordingOptions
        {
            OutDir = Path.Combine(temp, "trace"),
            Configuration = "Release",
            Properties = [new("OutDir", Path.Combine(temp, "built") + Path.DirectorySeparatorChar)],
        };
        var outcome = await CodeTracerRecorder.RecordAsync(Program("Recursion"), options, Cancelled);
        Assert.Null(outcome.ErrorCode);
        Assert.Equal(OutcomeKind.Complete, outcome.Outcome);
        Assert.True(File.Exists(Path.Combine(temp, "built", "Recursion.dll")), "the property's output folder holds the build");
        var metadata = File.ReadAllText(Path.Combine(temp, "trace", "trace_metadata.json"));
        Assert.Contains(Path.Combine(temp, "built", "Recursion.dll"), metadata);
    }

    [Fact(DisplayName = "Facade.a property name MSBuild refuses is a usage error")]
    public async Task BadPropertyNameIsAUsageError()
    {
        var outcome = await CodeTracerRecorder.RecordAsync(Program("Recursion"), new RecordingOptions { Properties = [new("1=x", "y")] }, Cancelled);
        Assert.Equal("ERR_INVALID_BUILD_OPTIONS", outcome.ErrorCode);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("Recursion.csproj", outcome.ErrorMessage);
    }

    [Fact(DisplayName = "Facade.a negative limit is an error value")]
    public async Task NegativeLimitIsAnErrorValue()
    {
        var outcome = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { MaxString = -1 }, Cancelled);
        Assert.Equal("ERR_INVALID_POLICY_VALUE", outcome.ErrorCode);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Equal(OutcomeKind.Failed, outcome.Outcome);
    }

    [Fact(DisplayName = "Facade.a missing trace folder throws CodeTracerException")]
    public void MissingTraceThrowsWithItsCode()
    {
        var e = Assert.Throws<CodeTracerException>(() => CodeTracerRecorder.ReadTrace(Path.Combine(temp, "missing")));
        Assert.Equal("ERR_TRACE_MISSING", e.Code);
        Assert.Equal(2, e.ExitCode);
    }
}
