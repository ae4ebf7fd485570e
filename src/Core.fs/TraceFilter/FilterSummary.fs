namespace CodeTracer.Core.TraceFilter

open CodeTracer.Core.Common
open CodeTracer.Core.Recording

/// One filter of the chain, as the recording names it.
type FilterProvenance =
    { Name: string
      Path: string
      Sha256: string
      Version: int }

/// A counter per value kind.
type KindCounts =
    { Arg: int64
      Local: int64
      Ret: int64
      Field: int64 }

/// What the filters did during one recording.
type FilterStats =
    { MethodsSkipped: int64
      MethodsTraced: int64
      ValueRedactions: KindCounts
      ValueDrops: KindCounts }

/// `trace_filter` of trace_metadata.json: the chain and the counters.
type FilterSummary =
    { Filters: FilterProvenance list
      Stats: FilterStats }

/// Counting per value kind.
[<RequireQualifiedAccess>]
module KindCounts =
    /// All zero.
    let zero = { Arg = 0L; Local = 0L; Ret = 0L; Field = 0L }

    /// Field-by-field sum.
    let add (a: KindCounts) (b: KindCounts) : KindCounts =
        { Arg = a.Arg + b.Arg
          Local = a.Local + b.Local
          Ret = a.Ret + b.Ret
          Field = a.Field + b.Field }

    /// The counter of one kind.
    let get (kind: ValueKind) (c: KindCounts) : int64 =
        match kind with
        | ValueKind.Arg -> c.Arg
        | ValueKind.Local -> c.Local
        | ValueKind.Ret -> c.Ret
        | ValueKind.Field -> c.Field

    /// One more of a kind.
    let increment (kind: ValueKind) (c: KindCounts) : KindCounts =
        match kind with
        | ValueKind.Arg -> { c with Arg = c.Arg + 1L }
        | ValueKind.Local -> { c with Local = c.Local + 1L }
        | ValueKind.Ret -> { c with Ret = c.Ret + 1L }
        | ValueKind.Field -> { c with Field = c.Field + 1L }

/// Counting decisions (a monoid: `zero` and `add`).
[<RequireQualifiedAccess>]
module FilterStats =
    /// No decision yet.
    let zero =
        { MethodsSkipped = 0L
          MethodsTraced = 0L
          ValueRedactions = KindCounts.zero
          ValueDrops = KindCounts.zero }

    /// Field-by-field sum (counts of two instrumentation passes, or of instrumentation and run time).
    let add (a: FilterStats) (b: FilterStats) : FilterStats =
        { MethodsSkipped = a.MethodsSkipped + b.MethodsSkipped
          MethodsTraced = a.MethodsTraced + b.MethodsTraced
          ValueRedactions = KindCounts.add a.ValueRedactions b.ValueRedactions
          ValueDrops = KindCounts.add a.ValueDrops b.ValueDrops }

    /// One method decision counted (Trace or Skip; Inherit counts nothing).
    let countMethod (exec: ExecDirective) (s: FilterStats) : FilterStats =
        match exec with
        | ExecDirective.Trace -> { s with MethodsTraced = s.MethodsTraced + 1L }
        | ExecDirective.Skip -> { s with MethodsSkipped = s.MethodsSkipped + 1L }
        | ExecDirective.Inherit -> s

    /// What the runtime did inside recorded objects: fields and dictionary entries it
    /// wrote redacted and dropped, counted as `field` (those decisions are taken there).
    let ofInnerValues (redactions: int64) (drops: int64) : FilterStats =
        { zero with
            ValueRedactions = { KindCounts.zero with Field = redactions }
            ValueDrops = { KindCounts.zero with Field = drops } }

    /// One value decision counted (redactions and drops; Allow counts nothing).
    let countValue (kind: ValueKind) (action: ValueAction) (s: FilterStats) : FilterStats =
        match action with
        | ValueAction.Redact -> { s with ValueRedactions = KindCounts.increment kind s.ValueRedactions }
        | ValueAction.Drop -> { s with ValueDrops = KindCounts.increment kind s.ValueDrops }
        | ValueAction.Allow
        | ValueAction.Inherit -> s

/// The `trace_filter` summary.
[<RequireQualifiedAccess>]
module FilterSummary =
    /// A file's provenance.
    let provenanceOf (file: FilterFile) : FilterProvenance =
        { Name = file.Meta.Name
          Path = file.Source.Path
          Sha256 = file.Source.Sha256
          Version = file.Meta.Version }

    /// The chain's provenance, no decision counted yet.
    let ofChain (chain: FilterChain) : FilterSummary =
        { Filters = chain.Files |> List.map provenanceOf
          Stats = FilterStats.zero }

    /// The summary with more counts added.
    let add (stats: FilterStats) (summary: FilterSummary) : FilterSummary =
        { summary with Stats = FilterStats.add summary.Stats stats }

    let private counts (c: KindCounts) : JsonNode =
        JObject [ for k in ValueKind.all -> ValueKind.toConfigString k, JInt(KindCounts.get k c) ]

    /// The `trace_filter` object of trace_metadata.json.
    let toJson (summary: FilterSummary) : JsonNode =
        JObject
            [ "filters",
              JArray
                  [ for f in summary.Filters ->
                        JObject
                            [ "name", JString f.Name
                              "path", JString f.Path
                              "sha256", JString f.Sha256
                              "version", JInt(int64 f.Version) ] ]
              "stats",
              JObject
                  [ "methods_skipped", JInt summary.Stats.MethodsSkipped
                    "methods_traced", JInt summary.Stats.MethodsTraced
                    "value_redactions", counts summary.Stats.ValueRedactions
                    "value_drops", counts summary.Stats.ValueDrops ] ]
