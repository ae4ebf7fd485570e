using System.Text.Json.Nodes;

namespace CodeTracer.Shell.Session;

/// <summary>
/// Puts the recorder runtime beside the staged program and into its deps.json,
/// so that instrumented code finds it even where no startup hook loads it: in
/// the program's own child processes started from the staged copy, which run
/// with the probes off instead of failing to resolve the runtime.
/// </summary>
internal static class RuntimeBundling
{
    /// <summary>Copies the runtime into <paramref name="appFolder"/> and lists it in the program's deps.json; returns the copy's path.</summary>
    internal static string Bundle(string appFolder, string programDll)
    {
        var source = Launch.RuntimeHook.Path;
        var copy = Path.Combine(appFolder, Path.GetFileName(source));
        File.Copy(source, copy, overwrite: true);
        var deps = Path.ChangeExtension(programDll, ".deps.json");
        if (File.Exists(deps)) File.WriteAllText(deps, WithRuntime(File.ReadAllText(deps), Path.GetFileName(source)));
        return copy;
    }

    /// <summary>The deps.json text with the runtime dll added to the program's own runtime assets.</summary>
    internal static string WithRuntime(string depsJson, string runtimeFile)
    {
        var root = JsonNode.Parse(depsJson)!.AsObject();
        var targetName = root["runtimeTarget"]?["name"]?.GetValue<string>();
        if (targetName is null || root["targets"]?[targetName] is not JsonObject target) return depsJson;
        // The first library of the target is the program's own project.
        var program = target.FirstOrDefault(p => p.Value is JsonObject).Value as JsonObject;
        if (program is null) return depsJson;
        var runtime = program["runtime"] as JsonObject ?? new JsonObject();
        runtime[runtimeFile] = new JsonObject();
        program["runtime"] = runtime;
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }
}
