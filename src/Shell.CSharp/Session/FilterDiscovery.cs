using CodeTracer.Core.Policy;
using CodeTracer.Core.TraceFilter;
using Microsoft.FSharp.Core;

namespace CodeTracer.Shell.Session;

/// <summary>The filter chain of a recording and the project root its <c>file:</c> selectors are relative to.</summary>
internal sealed record FilterSetup(FilterChain Chain, string? ProjectRoot);

/// <summary>
/// Finds and reads the filter files of a recording and lets the core build the
/// chain: <c>builtin-default</c>, the framework filters asked for, the project
/// filter <c>.codetracer/trace-filter.toml</c> (walking up from the target), then
/// <c>CODETRACER_TRACE_FILTER</c> and <c>--trace-filter</c> in order (the policy's
/// trace_filters, which add up).
/// </summary>
internal static class FilterDiscovery
{
    /// <summary>The project filter's place inside a project root.</summary>
    public static readonly string ProjectFilter = Path.Combine(".codetracer", "trace-filter.toml");

    /// <summary>The chain, or a usage error (<c>ERR_INVALID_FILTER</c>) naming every bad file, line and column.</summary>
    public static FilterSetup Load(Policy policy, string targetFolder, IEnumerable<BuiltinFilter> frameworkFilters)
    {
        var (root, projectFilter) = FindProject(targetFolder);
        var paths = new List<string>();
        if (projectFilter is not null) paths.Add(projectFilter);
        paths.AddRange(policy.TraceFilters.Value);
        var files = paths.Select(Read).ToArray();
        var builtins = new[] { BuiltinFilter.Default }.Concat(frameworkFilters).ToArray();
        var chain = FilterApi.BuildChain(root, builtins, files);
        if (chain.IsError) throw new RecorderException(Errors.InvalidFilter(string.Join("\n", chain.ErrorValue)));
        return new FilterSetup(chain.ResultValue, root);
    }

    /// <summary>
    /// The project root: the nearest folder at or above <paramref name="start"/> holding
    /// <c>.codetracer/</c>, else one holding a project or solution file; and the project filter, if any.
    /// </summary>
    public static (string? Root, string? Filter) FindProject(string start)
    {
        string? projectDir = null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            var filter = Path.Combine(dir.FullName, ProjectFilter);
            if (File.Exists(filter)) return (dir.FullName, filter);
            if (projectDir is null && dir.EnumerateFiles().Any(f => f.Extension is ".csproj" or ".fsproj" or ".sln" or ".slnx"))
                projectDir = dir.FullName;
        }
        return (projectDir, null);
    }

    /// <summary>The largest filter file read: a 200k-rule file is about 10 MB.</summary>
    public const int MaxFilterBytes = 64 << 20;

    /// <summary>
    /// A filter file's text, or a usage error (<c>ERR_INVALID_FILTER</c>) saying in one line why
    /// it cannot be one: missing, a folder, a FIFO or device, too large, binary, not UTF-8.
    /// </summary>
    public static FilterText Read(string path)
    {
        try
        {
            return new FilterText(path, InputFile.ReadText(path, MaxFilterBytes));
        }
        catch (FileNotFoundException)
        {
            throw new RecorderException(Errors.InvalidFilter($"{path}: no such filter file"));
        }
        catch (RefusedInputException e)
        {
            throw new RecorderException(Errors.InvalidFilter($"{path}: {e.Message}"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecorderException(Errors.InvalidFilter($"{path}: cannot read the filter file: {e.Message}"));
        }
    }
}
