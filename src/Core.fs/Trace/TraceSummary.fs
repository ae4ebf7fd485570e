namespace CodeTracer.Core.Trace

open System
open System.Globalization
open System.Text
open CodeTracer.Core.Common

/// How much a trace holds (the counts of ct-validate.py's `--stats`).
type TraceCounts =
    { Events: int
      /// Step events, less one per DropLastStep.
      Steps: int
      /// The program's calls: a call re-entered after a thread switch is not counted
      /// again (`ThreadCalls`), nor its `<thread switch>` returns.
      Calls: int
      Returns: int
      Functions: int
      Paths: int
      Types: int
      Variables: int
      /// Value records, nested ones included (Call args, Values, Returns).
      Values: int
      /// `Event` events (IO and errors).
      IoEvents: int
      /// Calls that never returned.
      OpenCalls: int }

/// One call in a printed call tree.
type CallNode =
    {
        /// The function's name as registered (`Demo.Program.Sum(int)`).
        Function: string
        /// The arguments as (name, short text).
        Args: (string * string) list
        /// The return value as short text; None for a call that never returned.
        Returned: string option
        /// The calls made from this one that are shown.
        Children: CallNode list
        /// The calls below this one left out by the depth or the width cut.
        HiddenCalls: int
        /// Some thread: not a call but the heading of that thread's calls (whose
        /// `Children` they are), when several threads made calls.
        Thread: int64 option
    }

/// The calls of a trace as a tree, cut to a depth and a width.
type CallForest =
    {
        /// The outermost calls that are shown (usually the one `<toplevel>`).
        Roots: CallNode list
        /// Outermost calls (and their descendants) left out by the width cut.
        HiddenCalls: int
    }

/// Summaries of a decoded trace for `codetracer print`: counts, calls per function,
/// a call tree, values as short text, and the text that prints them.
[<RequireQualifiedAccess>]
module TraceSummary =

    /// Longest text of one value before it is cut with `…`.
    [<Literal>]
    let MaxValueText = 80

    /// The types a value needs to be shown: lang_type and field names, by type id.
    type TypeTable = (string * string list) array

    /// The type table of a trace's Type events.
    let typeTable (events: TraceEvent seq) : TypeTable =
        [| for e in events do
               match e with
               | Type(_, lang, StructInfo fields) -> yield lang, fields |> List.map fst
               | Type(_, lang, _) -> yield lang, []
               | _ -> () |]

    let private quote (open': char) (close: char) (s: string) : string =
        let sb = StringBuilder(s.Length + 2)
        sb.Append(open') |> ignore
        for c in s do
            match c with
            | '"' when close = '"' -> sb.Append("\\\"") |> ignore
            | '\'' when close = '\'' -> sb.Append("\\'") |> ignore
            | '\\' -> sb.Append("\\\\") |> ignore
            | '\n' -> sb.Append("\\n") |> ignore
            | '\r' -> sb.Append("\\r") |> ignore
            | '\t' -> sb.Append("\\t") |> ignore
            | c when Char.IsControl c -> sb.AppendFormat(CultureInfo.InvariantCulture, "\\u{0:x4}", int c) |> ignore
            | c -> sb.Append(c) |> ignore
        sb.Append(close).ToString()

    let private bigInteger (magnitude: string) (negative: bool) : string =
        let buffer = Array.zeroCreate<byte> (magnitude.Length * 3 / 4 + 3)
        match Convert.TryFromBase64String(magnitude, Span buffer) with
        | true, n ->
            let v = Numerics.BigInteger(ReadOnlySpan(buffer, 0, n), isUnsigned = true, isBigEndian = true)
            (if negative then -v else v).ToString(CultureInfo.InvariantCulture)
        | _ -> "<bigint " + magnitude + ">"

    let rec private appendValue (types: TypeTable) (sb: StringBuilder) (v: ValueRecord) : unit =
        // Stop early on huge values; the caller cuts the text to MaxValueText.
        if sb.Length > MaxValueText then ()
        else
            let list (openText: string) (closeText: string) (items: (string option * ValueRecord) list) =
                sb.Append(openText) |> ignore
                items
                |> List.iteri (fun i (label, item) ->
                    if i > 0 then sb.Append(", ") |> ignore
                    label |> Option.iter (fun l -> sb.Append(l).Append(": ") |> ignore)
                    appendValue types sb item)
                sb.Append(closeText) |> ignore
            match v with
            | ValueRecord.Int(i, _) -> sb.Append(i.ToString(CultureInfo.InvariantCulture)) |> ignore
            | BigInt(b, negative, _) -> sb.Append(bigInteger b negative) |> ignore
            | Float(f, _) -> sb.Append(f) |> ignore
            | Bool(b, _) -> sb.Append(if b then "true" else "false") |> ignore
            | ValueRecord.String(s, _) -> sb.Append(quote '"' '"' s) |> ignore
            | ValueRecord.Char(c, _) -> sb.Append(quote '\'' '\'' c) |> ignore
            | Sequence(es, _, _) -> list "[" "]" (es |> List.map (fun e -> None, e))
            | Tuple(es, _) -> list "(" ")" (es |> List.map (fun e -> None, e))
            | Struct(fs, t) ->
                let name, fields = if t >= 0 && t < types.Length then types.[t] else "?", []
                let label i = if i < fields.Length then Some fields.[i] else None
                list (name + "{") "}" (fs |> List.mapi (fun i f -> label i, f))
            | Variant(d, (ValueRecord.Int _ | NoneValue _), _) -> sb.Append(d) |> ignore
            | Variant(d, contents, _) -> list (d + "(") ")" [ None, contents ]
            | Raw(r, _) -> sb.Append(r) |> ignore
            | ValueRecord.Error(msg, _) -> sb.Append("error: ").Append(msg) |> ignore
            | NoneValue _ -> sb.Append("null") |> ignore

    /// A value as short text: `3`, `"hi"`, `'x'`, `[1, 2]`, `(1, "a")`,
    /// `Point{X: 1, Y: 2}`, `Red` (an enum), `Some(3)`, Raw as is, `error: msg`, `null`.
    /// Cut to MaxValueText characters with `…`.
    let showValue (types: TypeTable) (v: ValueRecord) : string =
        let sb = StringBuilder()
        appendValue types sb v
        if sb.Length > MaxValueText then sb.ToString(0, MaxValueText) + "…" else sb.ToString()

    let rec private countValues (v: ValueRecord) : int =
        match v with
        | Sequence(es, _, _)
        | Tuple(es, _)
        | Struct(es, _) -> 1 + List.sumBy countValues es
        | Variant(_, c, _) -> 1 + countValues c
        | _ -> 1

    /// The counts of a trace (the same as ct-validate.py's for a valid trace).
    let counts (events: TraceEvent seq) : TraceCounts =
        let mutable events' = 0
        let mutable paths = 0
        let mutable functions = 0
        let mutable types = 0
        let mutable variables = 0
        let mutable steps = 0
        let mutable calls = 0
        let mutable returns = 0
        let mutable openCalls = 0
        let mutable values = 0
        let mutable io = 0
        let threads = ThreadCalls()
        for e in events do
            events' <- events' + 1
            let kind = threads.Next e
            match e with
            | Path _ -> paths <- paths + 1
            | Function _ -> functions <- functions + 1
            | Type _ -> types <- types + 1
            | VariableName _ -> variables <- variables + 1
            | Step _ -> steps <- steps + 1
            | DropLastStep -> steps <- steps - 1
            | Call(_, args) ->
                if kind = RealCall then
                    calls <- calls + 1
                    openCalls <- openCalls + 1
                values <- values + List.sumBy (snd >> countValues) args
            | Return v ->
                if kind = RealReturn then
                    returns <- returns + 1
                    openCalls <- max 0 (openCalls - 1)
                values <- values + countValues v
            | Value(_, v) -> values <- values + countValues v
            | IoEvent _ -> io <- io + 1
            | ThreadStart _
            | ThreadSwitch _
            | ThreadExit _ -> ()
        { Events = events'; Steps = steps; Calls = calls; Returns = returns; Functions = functions; Paths = paths
          Types = types; Variables = variables; Values = values; IoEvents = io; OpenCalls = openCalls }

    let private functionName (functions: ResizeArray<string>) (id: int) : string =
        if id >= 0 && id < functions.Count then functions.[id] else sprintf "<function %d>" id

    /// How many times each function was called, most called first (then by name).
    let callsPerFunction (events: TraceEvent seq) : (string * int) list =
        let functions = ResizeArray<string>()
        let calls = Collections.Generic.Dictionary<int, int>()
        let threads = ThreadCalls()
        for e in events do
            match e, threads.Next e with
            | Function(_, _, name), _ -> functions.Add name
            | Call(f, _), RealCall ->
                match calls.TryGetValue f with
                | true, n -> calls.[f] <- n + 1
                | _ -> calls.[f] <- 1
            | _ -> ()
        [ for KeyValue(f, n) in calls -> functionName functions f, n ]
        |> List.sortWith (fun (a, n) (b, m) -> if n <> m then compare m n else String.CompareOrdinal(a, b))

    /// A call (or a thread's heading) being built: the shown part of the tree is mutable
    /// while the events go by.
    type private Building =
        { Name: string
          CallArgs: (string * string) list
          mutable Result: string option
          Kids: ResizeArray<Building>
          mutable Hidden: int
          Heading: int64 option }

    let private building name args heading =
        { Name = name; CallArgs = args; Result = None; Kids = ResizeArray(); Hidden = 0; Heading = heading }

    let rec private freeze (b: Building) : CallNode =
        { Function = b.Name
          Args = b.CallArgs
          Returned = b.Result
          Children = b.Kids |> Seq.map freeze |> List.ofSeq
          HiddenCalls = b.Hidden
          Thread = b.Heading }

    /// The calls a shown node stands for: itself (not a heading) and all below it.
    let rec private size (b: Building) : int =
        (if b.Heading.IsSome then 0 else 1) + b.Hidden + Seq.sumBy size b.Kids

    /// With one thread's calls only, its heading says nothing: its calls take its place
    /// (those beyond `maxWidth` children counted as hidden).
    let rec private splice (maxWidth: int) (b: Building) : unit =
        for i in b.Kids.Count - 1 .. -1 .. 0 do
            let kid = b.Kids.[i]
            if kid.Heading.IsSome then
                b.Kids.RemoveAt i
                b.Kids.InsertRange(i, kid.Kids)
                b.Hidden <- b.Hidden + kid.Hidden
        while b.Kids.Count > maxWidth do
            b.Hidden <- b.Hidden + size b.Kids.[b.Kids.Count - 1]
            b.Kids.RemoveAt(b.Kids.Count - 1)
        for kid in b.Kids do
            splice maxWidth kid

    /// The call tree, each thread's calls apart (`ThreadCalls`: a call re-entered after a
    /// thread switch is the same call, a `<thread switch>` return does not end it): under
    /// `<toplevel>`, a heading per thread with its outermost calls, when several threads
    /// made calls. Cut: calls deeper than `maxDepth` (the outermost calls are at depth 1,
    /// headings do not count) and children beyond the first `maxWidth` of a call are
    /// counted in the HiddenCalls of the deepest shown call above them. One pass; only the
    /// shown calls are kept in memory.
    let callTree (maxDepth: int) (maxWidth: int) (events: TraceEvent seq) : CallForest =
        let functions = ResizeArray<string>()
        let variables = ResizeArray<string>()
        let types = ResizeArray<string * string list>()
        let mutable typeArray: TypeTable = [||]
        let root = building "" [] None
        let threads = ThreadCalls()
        // Each thread's open calls: its node when shown, and the shown call that counts what
        // is cut below it; each thread's heading and the depth of the calls it is under.
        let stacks = Collections.Generic.Dictionary<int64, Collections.Generic.Stack<Building option * Building>>()
        let headings = Collections.Generic.Dictionary<int64, Building * int>()
        let stackOf t =
            match stacks.TryGetValue t with
            | true, s -> s
            | _ ->
                let s = Collections.Generic.Stack()
                stacks.[t] <- s
                s
        let show v =
            if typeArray.Length <> types.Count then typeArray <- types.ToArray()
            showValue typeArray v
        // Where a thread's outermost call goes: under its heading, itself under the innermost
        // shown call of `<toplevel>`'s (events before any marker).
        let headingOf (t: int64) : Building * int =
            match headings.TryGetValue t with
            | true, h -> h
            | _ ->
                let top = stackOf ThreadCalls.NoThread
                let parent = if top.Count = 0 then root else snd (top.Peek())
                let h = building (sprintf "thread %d" t) [] (Some t), top.Count
                parent.Kids.Add(fst h)
                headings.[t] <- h
                h
        for e in events do
            let kind = threads.Next e
            match e with
            | Function(_, _, name) -> functions.Add name
            | VariableName name -> variables.Add name
            | Type(_, lang, StructInfo fields) -> types.Add(lang, fields |> List.map fst)
            | Type(_, lang, _) -> types.Add(lang, [])
            | Call(f, args) when kind = RealCall ->
                let t = threads.Owner
                let stack = stackOf t
                let parent, absorber, above =
                    if stack.Count > 0 then
                        let p, a = stack.Peek()
                        p, a, (if t = ThreadCalls.NoThread then 0 else snd (headingOf t))
                    elif t = ThreadCalls.NoThread then Some root, root, 0
                    else
                        let h, above = headingOf t
                        Some h, h, above
                match parent with
                | Some p when above + stack.Count < maxDepth && p.Kids.Count < maxWidth ->
                    let name v = if v >= 0 && v < variables.Count then variables.[v] else sprintf "#%d" v
                    let node = building (functionName functions f) (args |> List.map (fun (v, x) -> name v, show x)) None
                    p.Kids.Add node
                    stack.Push(Some node, node)
                | Some p ->
                    p.Hidden <- p.Hidden + 1
                    stack.Push(None, p)
                | None ->
                    absorber.Hidden <- absorber.Hidden + 1
                    stack.Push(None, absorber)
            | Return v when kind = RealReturn ->
                let stack = stackOf threads.Owner
                if stack.Count > 0 then
                    match stack.Pop() with
                    | Some node, _ -> node.Result <- Some(show v)
                    | None, _ -> ()
            | _ -> ()
        if headings.Count = 1 then splice maxWidth root
        { Roots = root.Kids |> Seq.map freeze |> List.ofSeq; HiddenCalls = root.Hidden }

    let private moreCalls (n: int) = if n = 1 then "… 1 more call" else sprintf "… %d more calls" n

    /// One line of a call: `Demo.Program.Sum(int) n=2 → 1`; `→ (no return)` when open.
    let callLine (node: CallNode) : string =
        let args =
            if node.Args.IsEmpty then ""
            else " " + (node.Args |> List.map (fun (n, v) -> n + "=" + v) |> String.concat ", ")
        let result =
            match node.Returned with
            | Some r -> " → " + r
            | None -> " → (no return)"
        node.Function + args + result

    /// The call tree as indented lines (two spaces a level), each cut with a
    /// `… N more calls` line below the shown children.
    let renderCalls (forest: CallForest) : string list =
        let lines = ResizeArray<string>()
        let rec walk (indent: string) (node: CallNode) =
            lines.Add(indent + (match node.Thread with Some t -> sprintf "thread %d" t | None -> callLine node))
            for child in node.Children do
                walk (indent + "  ") child
            if node.HiddenCalls > 0 then lines.Add(indent + "  " + moreCalls node.HiddenCalls)
        for r in forest.Roots do
            walk "" r
        if forest.HiddenCalls > 0 then lines.Add(moreCalls forest.HiddenCalls)
        List.ofSeq lines

    /// The `--summary` text: where and what was recorded, the outcome, the counts, the
    /// `top` most called functions and the filter chain (when the metadata names one).
    let renderSummary
        (folder: string)
        (metadata: Result<TraceMetadataFields, TraceProblem>)
        (counts: TraceCounts)
        (perFunction: (string * int) list)
        (top: int)
        : string list =
        let lines = ResizeArray<string>()
        let row (label: string) (text: string) = lines.Add(sprintf "%-12s %s" label text)
        row "trace" folder
        match metadata with
        | Result.Error p -> row "metadata" ("unreadable: " + TraceProblem.render p)
        | Ok m ->
            row "program" (m.Program |> Option.defaultValue "?")
            match m.Args with
            | Some [] -> row "args" "(none)"
            | Some args -> row "args" (args |> List.map (fun a -> quote '"' '"' a) |> String.concat " ")
            | None -> ()
            m.RecordingId |> Option.iter (row "recording")
            m.Recorder |> Option.iter (fun (name, version) -> row "recorder" (name + " " + version))
            let exitCode =
                match m.ExitCode with
                | Some c -> sprintf ", exit code %d" c
                | None -> ""
            row "outcome" ((m.Outcome |> Option.defaultValue "?") + exitCode)
        row "events" (sprintf "%d events, %d steps, %d calls, %d returns, %d open calls" counts.Events counts.Steps counts.Calls counts.Returns counts.OpenCalls)
        row "registered" (sprintf "%d functions, %d paths, %d types, %d variables" counts.Functions counts.Paths counts.Types counts.Variables)
        row "values" (sprintf "%d values, %d io events" counts.Values counts.IoEvents)
        lines.Add(sprintf "calls per function (%d functions called):" perFunction.Length)
        for name, n in List.truncate top perFunction do
            lines.Add(sprintf "%8d  %s" n name)
        if perFunction.Length > top then lines.Add(sprintf "%8s  … %d more functions" "" (perFunction.Length - top))
        match metadata with
        | Ok { TraceFilter = Some filter } ->
            row "filters" (filter.Filters |> List.map (fun (name, path) -> sprintf "%s (%s)" name path) |> String.concat " :: ")
            if not filter.Stats.IsEmpty then
                row "" (filter.Stats |> List.map (fun (k, v) -> sprintf "%s %d" k v) |> String.concat ", ")
        | _ -> ()
        List.ofSeq lines
