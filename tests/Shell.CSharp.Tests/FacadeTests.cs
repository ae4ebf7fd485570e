namespace CodeTracer.Shell.CSharp.Tests;

using static Runner;

/// <summary>The facade as a C# consumer uses it: record, await the outcome, read the trace.</summary>
internal static class FacadeTests
{
    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CodeTracer.sln"))) return dir.FullName;
        throw new InvalidOperationException("CodeTracer.sln not found above the test binaries");
    }

    /// <summary>The built Recursion.dll, else its project (which the recorder builds).</summary>
    private static string Recursion()
    {
        var folder = Path.Combine(Root(), "tests", "programs", "Recursion");
        var dll = Path.Combine(folder, "bin", "Debug", "net10.0", "Recursion.dll");
        return File.Exists(dll) ? dll : Path.Combine(folder, "Recursion.csproj");
    }

    private static string TempFolder()
    {
        var d = Path.Combine(Path.GetTempPath(), "ct-csharp-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static async Task RecordsRecursion()
    {
        var temp = TempFolder();
        try
        {
            var outDir = Path.Combine(temp, "trace");
            var outcome = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { OutDir = outDir, MaxDepth = 2 }, CancellationToken.None);
            Equal(outcome.ErrorCode, null, "error code");
            True(outcome.Succeeded, "succeeded");
            Equal(outcome.Outcome, "complete", "outcome");
            Equal(outcome.ExitCode, 0, "exit code");
            Equal(outcome.ProgramExitCode, (int?)0, "program exit code");
            Equal(outcome.TraceDir, Path.GetFullPath(outDir), "trace dir");
            // <toplevel>, Main, 5 Factorial, 25 Fib.
            Equal(outcome.Calls, 32L, "calls");

            var summary = CodeTracerRecorder.ReadTrace(outDir);
            Equal(summary.Outcome, "complete", "metadata outcome");
            Equal(summary.ExitCode, (long?)0, "metadata exit code");
            Equal(summary.CallsOf("Recursion.Program.Factorial"), 5, "Factorial calls");
            Equal(summary.CallsOf("Recursion.Program.Fib(int)"), 25, "Fib calls");
            Equal((long)summary.Calls, outcome.Calls, "calls read back");
            Equal(summary.OpenCalls, 0, "open calls");
            Equal(summary.FunctionsByCalls[0].Function, "Recursion.Program.Fib(int)", "most called first");
            True(File.Exists(Path.Combine(outDir, "trace.bin")) && !File.Exists(Path.Combine(outDir, "trace.json")), "trace.bin by default");

            var jsonDir = Path.Combine(temp, "json");
            var json = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { OutDir = jsonDir, MaxDepth = 2, Format = TraceFileFormat.Json }, CancellationToken.None);
            True(json.Succeeded, "succeeded as JSON");
            True(File.Exists(Path.Combine(jsonDir, "trace.json")) && !File.Exists(Path.Combine(jsonDir, "trace.bin")), "trace.json when asked");
            var fromJson = CodeTracerRecorder.ReadTrace(jsonDir);
            Equal((fromJson.Events, fromJson.Steps, fromJson.Calls), (summary.Events, summary.Steps, summary.Calls), "the same counts from either format");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task MissingTargetIsAnErrorValue()
    {
        var temp = TempFolder();
        try
        {
            var missing = Path.Combine(temp, "NoSuchApp.dll");
            var outcome = await CodeTracerRecorder.RecordAsync(missing, new RecordingOptions { OutDir = Path.Combine(temp, "trace") }, CancellationToken.None);
            True(!outcome.Succeeded, "not succeeded");
            Equal(outcome.ErrorCode, "ERR_TARGET_NOT_FOUND", "error code");
            Equal(outcome.ExitCode, 2, "exit code (usage error)");
            Equal(outcome.Outcome, "failed", "outcome");
            Equal(outcome.TraceDir, null, "no trace");
            Equal(outcome.ProgramExitCode, null, "the program never ran");
            True(outcome.ErrorMessage!.Contains(missing), "the message names the target");
            True(!Directory.Exists(Path.Combine(temp, "trace")), "no trace folder written");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task RecordsATestRun()
    {
        var temp = TempFolder();
        try
        {
            var outDir = Path.Combine(temp, "trace");
            var project = Path.Combine(Root(), "tests", "programs", "NunitCart", "NunitCart.csproj");
            var options = new RecordingOptions { OutDir = outDir, Test = true, ProgramArgs = ["--filter", "FullyQualifiedName~AddsTheLines"] };
            var outcome = await CodeTracerRecorder.RecordAsync(project, options);
            Equal(outcome.ErrorCode, null, "error code");
            Equal(outcome.Outcome, "complete", "outcome");
            Equal(outcome.ProgramExitCode, (int?)0, "the selected test passed");
            var summary = CodeTracerRecorder.ReadTrace(outDir);
            Equal(summary.CallsOf("NunitCart.CartTests.TotalAddsTheLines()"), 1, "the selected test");
            Equal(summary.CallsOf("NunitCart.CartTests.TotalAppliesTheDiscount()"), 0, "the other test did not run");
            Equal(summary.CallsOf("Shop.Cart.Total()"), 1, "the code under test");
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task BuildsTheProjectAsAsked()
    {
        var temp = TempFolder();
        try
        {
            var project = Path.Combine(Root(), "tests", "programs", "Recursion", "Recursion.csproj");
            var options = new RecordingOptions
            {
                OutDir = Path.Combine(temp, "trace"),
                Configuration = "Release",
                Properties = [new("OutDir", Path.Combine(temp, "built") + Path.DirectorySeparatorChar)],
            };
            var outcome = await CodeTracerRecorder.RecordAsync(project, options);
            Equal(outcome.ErrorCode, null, "no error");
            Equal(outcome.Outcome, "complete", "the outcome");
            True(File.Exists(Path.Combine(temp, "built", "Recursion.dll")), "the property's output folder holds the build");
            var metadata = File.ReadAllText(Path.Combine(temp, "trace", "trace_metadata.json"));
            True(metadata.Contains(Path.Combine(temp, "built", "Recursion.dll")), "the recorded program is the one the options built");
        }
        finally { Directory.Delete(temp, true); }
    }

    private static async Task BadPropertyNameIsAUsageError()
    {
        var project = Path.Combine(Root(), "tests", "programs", "Recursion", "Recursion.csproj");
        var outcome = await CodeTracerRecorder.RecordAsync(project, new RecordingOptions { Properties = [new("1=x", "y")] });
        Equal(outcome.ErrorCode, "ERR_INVALID_BUILD_OPTIONS", "the code");
        Equal(outcome.ExitCode, 2, "a usage error");
        True(outcome.ErrorMessage!.Contains("Recursion.csproj"), outcome.ErrorMessage);
    }

    private static async Task NegativeLimitIsAnErrorValue()
    {
        var outcome = await CodeTracerRecorder.RecordAsync(Recursion(), new RecordingOptions { MaxString = -1 });
        Equal(outcome.ErrorCode, "ERR_INVALID_POLICY_VALUE", "error code");
        Equal(outcome.ExitCode, 2, "exit code");
    }

    private static Task MissingTraceThrowsWithItsCode()
    {
        var missing = Path.Combine(Path.GetTempPath(), "ct-csharp-missing-" + Guid.NewGuid().ToString("N"));
        try
        {
            CodeTracerRecorder.ReadTrace(missing);
        }
        catch (CodeTracerException e)
        {
            Equal(e.Code, "ERR_TRACE_MISSING", "code");
            Equal(e.ExitCode, 2, "exit code");
            return Task.CompletedTask;
        }
        throw new AssertionException("ReadTrace on a missing folder did not throw");
    }

    internal static IReadOnlyList<(string, Func<Task>)> Tests =>
    [
        ("Facade.records Recursion and reads its trace back", RecordsRecursion),
        ("Facade.a missing target is an error value with its code", MissingTargetIsAnErrorValue),
        ("Facade.records a test run with a runner filter", RecordsATestRun),
        ("Facade.builds a project with the configuration and properties given", BuildsTheProjectAsAsked),
        ("Facade.a property name MSBuild refuses is a usage error", BadPropertyNameIsAUsageError),
        ("Facade.a negative limit is an error value", NegativeLimitIsAnErrorValue),
        ("Facade.a missing trace folder throws CodeTracerException", MissingTraceThrowsWithItsCode),
    ];
}
