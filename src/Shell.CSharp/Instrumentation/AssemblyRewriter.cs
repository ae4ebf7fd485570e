using CodeTracer.Core.TraceFilter;
using System.Reflection.PortableExecutable;
using static System.Reflection.Metadata.PEReaderExtensions;
using CodeTracer.Core.Recording;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace CodeTracer.Shell.Instrumentation;

/// <summary>
/// Rewrites the assemblies of a staged copy of an application so that they call the
/// recorder's runtime (<c>CodeTracer.Runtime.Probe</c>), and describes what it put where.
/// </summary>
internal static class AssemblyRewriter
{
    internal enum Symbols
    {
        None,
        /// <summary>A portable PDB beside the dll.</summary>
        Beside,
        /// <summary>A portable PDB embedded in the dll.</summary>
        Embedded,
    }

    /// <summary>
    /// Instruments, in place, every managed <c>*.dll</c> at the top level of
    /// <paramref name="stagedFolder"/> that has portable symbols (beside it or embedded) and is
    /// neither a platform assembly (<see cref="IsPlatformAssembly"/>) nor skipped by
    /// <paramref name="skipAssembly"/> (given the assembly's simple name). The symbols are
    /// rewritten with the code, so stack traces keep their line numbers. Method and site ids
    /// in the probes are indexes into the returned manifest. An assembly that already refers
    /// to the runtime (instrumented before) is left alone.
    /// </summary>
    /// <param name="onFailure">Called with the assembly's name when rewriting it fails; it stays
    /// as it was when the callback returns, and the failure propagates when there is none.</param>
    /// <param name="onProgress">Called before each candidate assembly with how many were done and how many there are.</param>
    public static Manifest InstrumentFolder(
        string stagedFolder, Func<string, bool>? skipAssembly = null, Action<string, Exception>? onFailure = null,
        InstrumentationPolicy? policy = null, CancellationToken cancellationToken = default, Action<int, int>? onProgress = null)
    {
        var runtimePath = typeof(CodeTracer.Runtime.Probe).Assembly.Location;
        using var runtime = ModuleDefinition.ReadModule(runtimePath, new ReaderParameters { InMemory = true });
        var probeType = runtime.GetType(typeof(CodeTracer.Runtime.Probe).FullName)
            ?? throw new InvalidOperationException($"{runtimePath} has no {typeof(CodeTracer.Runtime.Probe).FullName}");

        using var resolver = new StagedAssemblyResolver(stagedFolder);
        var manifest = new ManifestBuilder();
        var candidates = Candidates(stagedFolder).ToList();
        var done = 0;
        foreach (var (path, name, symbols) in candidates)
        {
            onProgress?.Invoke(done++, candidates.Count);
            if (skipAssembly?.Invoke(name) ?? false) continue;
            try
            {
                InstrumentAssembly(path, symbols, resolver, probeType, manifest, policy, cancellationToken);
            }
            catch (Exception e) when (onFailure is not null && e is not OperationCanceledException)
            {
                onFailure(name, e);
            }
        }
        return manifest.Build();
    }

    /// <summary>
    /// Assemblies never instrumented, by simple name: the platform (<c>System.*</c>,
    /// <c>Microsoft.*</c>, <c>netstandard</c>, <c>mscorlib</c>), <c>FSharp.Core</c> and the
    /// recorder itself (<c>CodeTracer.*</c>).
    /// </summary>
    public static bool IsPlatformAssembly(string simpleName)
    {
        static bool IsOrUnder(string name, string prefix) =>
            name.Equals(prefix, StringComparison.OrdinalIgnoreCase)
            || name.StartsWith(prefix + ".", StringComparison.OrdinalIgnoreCase);

        return IsOrUnder(simpleName, "System") || IsOrUnder(simpleName, "Microsoft") || IsOrUnder(simpleName, "CodeTracer")
            || simpleName.Equals("netstandard", StringComparison.OrdinalIgnoreCase)
            || simpleName.Equals("mscorlib", StringComparison.OrdinalIgnoreCase)
            || simpleName.Equals("FSharp.Core", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The assemblies of a folder that can be instrumented: managed, with portable symbols, not the platform's.</summary>
    internal static IEnumerable<(string Path, string Name, Symbols Symbols)> Candidates(string folder)
    {
        foreach (var path in Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            var (name, symbols) = Inspect(path);
            if (name is null || symbols == Symbols.None || IsPlatformAssembly(name)) continue;
            yield return (path, name, symbols);
        }
    }

    /// <summary>Reads an assembly with its symbols, into memory; null when the symbols do not match it.</summary>
    internal static ModuleDefinition? Read(string path, Symbols symbols, IAssemblyResolver resolver)
    {
        var pdbPath = Path.ChangeExtension(path, ".pdb");
        var reading = new ReaderParameters
        {
            AssemblyResolver = resolver,
            InMemory = true,
            ReadSymbols = true,
            SymbolReaderProvider = symbols == Symbols.Beside ? new PortablePdbReaderProvider() : new EmbeddedPortablePdbReaderProvider(),
            // Read into memory too, so that the file can be overwritten.
            SymbolStream = symbols == Symbols.Beside ? new MemoryStream(File.ReadAllBytes(pdbPath)) : null,
        };

        try
        {
            return ModuleDefinition.ReadModule(path, reading);
        }
        catch (SymbolsNotMatchingException)
        {
            return null; // stale symbols: the lines would be wrong, so the assembly is left alone
        }
    }

    private static void InstrumentAssembly(
        string path, Symbols symbols, IAssemblyResolver resolver, TypeDefinition probeType, ManifestBuilder manifest,
        InstrumentationPolicy? policy, CancellationToken cancellationToken)
    {
        var module = Read(path, symbols, resolver);
        if (module is null) return;

        using (module)
        {
            var probes = new ValueProbes(module, probeType);
            var instrumented = 0;
            foreach (var type in module.GetTypes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                foreach (var method in type.Methods)
                {
                    if (!method.HasBody) continue;
                    var decision = policy is null ? new MethodDecision(false, (_, _, _) => ValueAction.Allow, 0) : policy.Decide(method);
                    if (decision is not null) probes.FieldPolicy = decision.FieldPolicy;
                    if (decision is not null && MethodRewriter.Instrument(method, probes, manifest, decision.Activates, decision.ValueAction))
                        instrumented++;
                }
            }
            if (instrumented == 0) return;

            module.Write(path, new WriterParameters
            {
                WriteSymbols = true,
                SymbolWriterProvider = symbols == Symbols.Beside ? new PortablePdbWriterProvider() : new EmbeddedPortablePdbWriterProvider(),
            });
        }
    }

    // The assembly's simple name (null when the file is not a managed, IL-only assembly,
    // or is instrumented already) and where its portable symbols are.
    private static (string? Name, Symbols Symbols) Inspect(string path)
    {
        try
        {
            using var pe = new PEReader(File.OpenRead(path));
            if (!pe.HasMetadata || (pe.PEHeaders.CorHeader!.Flags & CorFlags.ILOnly) == 0) return (null, Symbols.None);
            var metadata = pe.GetMetadataReader();
            if (!metadata.IsAssembly) return (null, Symbols.None);
            var name = metadata.GetString(metadata.GetAssemblyDefinition().Name);
            var runtimeName = typeof(CodeTracer.Runtime.Probe).Assembly.GetName().Name;
            if (metadata.AssemblyReferences.Any(r => metadata.GetString(metadata.GetAssemblyReference(r).Name) == runtimeName))
                return (null, Symbols.None);

            if (IsPortablePdb(Path.ChangeExtension(path, ".pdb"))) return (name, Symbols.Beside);
            var embedded = pe.ReadDebugDirectory().Any(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
            return (name, embedded ? Symbols.Embedded : Symbols.None);
        }
        catch (BadImageFormatException)
        {
            return (null, Symbols.None);
        }
    }

    // Portable PDBs are ECMA-335 metadata: they start with the "BSJB" signature.
    private static bool IsPortablePdb(string pdbPath)
    {
        if (!File.Exists(pdbPath)) return false;
        using var file = File.OpenRead(pdbPath);
        Span<byte> signature = stackalloc byte[4];
        return file.Read(signature) == 4 && signature.SequenceEqual("BSJB"u8);
    }

    /// <summary>
    /// Resolves references from the staged folder, then the running framework's folder.
    /// Everything is read into memory, so the staged files can be overwritten meanwhile.
    /// </summary>
    internal sealed class StagedAssemblyResolver : DefaultAssemblyResolver
    {
        public StagedAssemblyResolver(string stagedFolder)
        {
            foreach (var directory in GetSearchDirectories()) RemoveSearchDirectory(directory);
            AddSearchDirectory(stagedFolder);
            AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        }

        public override AssemblyDefinition Resolve(AssemblyNameReference name, ReaderParameters parameters)
        {
            parameters.InMemory = true;
            return base.Resolve(name, parameters);
        }
    }
}

/// <summary>The manifest as instrumentation fills it: ids are indexes, given in order.</summary>
internal sealed class ManifestBuilder
{
    private readonly List<string> _paths = new();
    private readonly Dictionary<string, int> _pathIds = new(StringComparer.Ordinal);
    private readonly List<MethodEntry> _methods = new();
    private readonly List<SiteEntry> _sites = new();

    /// <summary>The id of a source path, added when first seen.</summary>
    public int PathId(string path)
    {
        if (_pathIds.TryGetValue(path, out var id)) return id;
        _paths.Add(path);
        return _pathIds[path] = _paths.Count - 1;
    }

    public int AddMethod(MethodEntry method)
    {
        _methods.Add(method);
        return _methods.Count - 1;
    }

    public int AddSite(SiteEntry site)
    {
        _sites.Add(site);
        return _sites.Count - 1;
    }

    public Manifest Build() => new([.. _paths], [.. _methods], [.. _sites]);
}
