/// Laws of the policy: the merge of layers, precedence with provenance, and the
/// environment parser's totality.
module CodeTracer.Core.Tests.PolicyTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Microsoft.FSharp.Reflection
open CodeTracer.Core.Common
open CodeTracer.Core.Policy

let private config = { FsCheckConfig.defaultConfig with maxTest = 300 }

/// Valid and invalid spellings, so both paths of every reader are taken.
let private envValue =
    Gen.oneof [
        Gen.elements [ "1"; "true"; "T"; "Yes"; "y"; "ON"; "0"; "false"; "f"; "NO"; "n"; "off"; "abort"; "disable"
                       "warn"; "debug"; "console"; "console+fd"; "binary"; "JSON"; "42"; "0"; ""; "a::b"; "/tmp/x" ]
        ArbMap.defaults |> ArbMap.generate<string> |> Gen.map (fun s -> if isNull s then "" else s)
    ]

let private environment =
    gen {
        let! names = Gen.subListOf (PolicyEnv.variables @ [ "PATH"; "CODETRACER_UNKNOWN" ])
        let! values = Gen.listOfLength names.Length envValue
        return List.zip names values |> Map.ofList
    }

let tests =
    testList "Policy" [
        testPropertyWithConfig config "merge is associative" <| fun (a: PolicyLayer) (b: PolicyLayer) (c: PolicyLayer) ->
            PolicyLayer.merge (PolicyLayer.merge a b) c = PolicyLayer.merge a (PolicyLayer.merge b c)

        testPropertyWithConfig config "the empty layer changes nothing on either side" <| fun (a: PolicyLayer) ->
            PolicyLayer.merge PolicyLayer.empty a = a && PolicyLayer.merge a PolicyLayer.empty = a

        testPropertyWithConfig config "a later layer wins field by field (filter paths add up); an absent field never overrides" <| fun (lower: PolicyLayer) (upper: PolicyLayer) ->
            let m = PolicyLayer.merge lower upper
            let pick u l = match u with Some _ -> u | None -> l
            m.MaxDepth = pick upper.MaxDepth lower.MaxDepth
            && m.LogFile = pick upper.LogFile lower.LogFile
            && m.OnRecorderError = pick upper.OnRecorderError lower.OnRecorderError
            && m.TraceFilters = (match lower.TraceFilters, upper.TraceFilters with
                                 | Some l, Some u -> Some(l @ u)
                                 | l, u -> pick u l)
            && m.Disabled = pick upper.Disabled lower.Disabled
            && m.Format = pick upper.Format lower.Format

        testPropertyWithConfig config "every setting's source is the highest layer that set it; an absent one keeps the default" <| fun (env: PolicyLayer) (cli: PolicyLayer) (api: PolicyLayer) ->
            let p = Policy.resolve env cli api
            PolicySettings.all
            |> List.forall (fun s ->
                let text, source = s.Describe p
                match [ Env, env; Cli, cli; Api, api ] |> List.filter (fun (_, l) -> s.IsSetIn l) |> List.tryLast with
                | None -> text = s.DefaultText && source = Default
                | Some(top, _) -> source = top)

        testPropertyWithConfig config "a setting that does not add up takes the value of the highest layer that set it" <| fun (env: PolicyLayer) (cli: PolicyLayer) (api: PolicyLayer) ->
            let p = Policy.resolve env cli api
            PolicySettings.all
            |> List.filter (fun s -> not s.Combines)
            |> List.forall (fun s ->
                match [ env; cli; api ] |> List.filter s.IsSetIn |> List.tryLast with
                | None -> true
                | Some top -> fst (s.Describe p) = fst (s.Describe(Policy.resolve PolicyLayer.empty PolicyLayer.empty top)))

        testPropertyWithConfig config "trace filter paths add up, lowest layer first" <| fun (env: PolicyLayer) (cli: PolicyLayer) (api: PolicyLayer) ->
            (Policy.resolve env cli api).TraceFilters.Value = List.concat (List.choose id [ env.TraceFilters; cli.TraceFilters; api.TraceFilters ])

        testPropertyWithConfig config "the environment parser is total, and each error names its variable and value" <|
            Prop.forAll (Arb.fromGen environment) (fun env ->
                match PolicyEnv.parse env with
                | Ok _ -> true
                | Result.Error errors ->
                    not errors.IsEmpty
                    && errors |> List.forall (fun e ->
                        e.Code = "ERR_INVALID_POLICY_VALUE" && e.Kind = Usage
                        && (match e.Context with
                            | [ "variable", v; "value", value ] -> env.[v] = value && e.Message.Contains v
                            | _ -> false)))

        test "the table has one row per field of the model, each reading and setting its own field only" {
            let names (t: System.Type) = FSharpType.GetRecordFields t |> Array.map (fun f -> f.Name) |> Set.ofArray
            let changed (t: System.Type) (before: obj) (after: obj) =
                FSharpType.GetRecordFields t
                |> Array.filter (fun f -> f.GetValue before <> f.GetValue after)
                |> Array.map (fun f -> f.Name)
                |> List.ofArray
            Expect.equal (names typeof<PolicyLayer>) (names typeof<Policy>) "a layer and the policy have the same fields"
            let fields =
                [ for s in PolicySettings.all ->
                    match s.Read s.DefaultText with
                    | Ok set ->
                        let layer = set PolicyLayer.empty
                        Expect.equal (PolicySettings.all |> List.filter (fun o -> o.IsSetIn layer) |> List.map (fun o -> o.Name)) [ s.Name ] "only its own row sees it"
                        let inLayer = changed typeof<PolicyLayer> PolicyLayer.empty layer
                        let inPolicy = changed typeof<Policy> Policy.defaults (s.Resolve Api layer Policy.defaults)
                        Expect.equal inPolicy inLayer (s.Name + ": the same field in the layer and the policy")
                        Expect.hasLength inLayer 1 (s.Name + " sets one field")
                        inLayer.Head
                    | Error expected -> failtestf "%s: its default %s does not read back (expected %s)" s.Name s.DefaultText expected ]
            Expect.equal (Set.ofList fields) (names typeof<PolicyLayer>) "every field has a row"
            Expect.hasLength fields (List.distinct fields).Length "no two rows share a field"
            for column, values in [ "names", PolicySettings.all |> List.map (fun s -> s.Name)
                                    "variables", PolicySettings.all |> List.map (fun s -> s.Variable)
                                    "flags", PolicySettings.all |> List.choose (fun s -> s.Flag) ] do
                Expect.equal values (List.distinct values) (column + " are distinct")
        }

        test "every default reads back from its text, and shows as that text" {
            for s in PolicySettings.all do
                match s.Read s.DefaultText with
                | Ok set ->
                    let text, source = s.Describe(Policy.resolve (set PolicyLayer.empty) PolicyLayer.empty PolicyLayer.empty)
                    Expect.equal (text, source) (s.DefaultText, Env) s.Name
                | Error expected -> failtestf "%s: expected %s" s.Name expected
        }

        test "the spec's boolean words, any case" {
            for word, expected in [ "1", true; "TRUE", true; "t", true; "Yes", true; "y", true; "on", true
                                    "0", false; "False", false; "F", false; "no", false; "N", false; "OFF", false ] do
                let parsed = PolicyEnv.parse (Map.ofList [ "CODETRACER_REQUIRE_TRACE", word ])
                Expect.equal (parsed |> Result.map (fun l -> l.RequireTrace)) (Ok(Some expected)) word
        }

        test "a bad value is a usage error naming the variable and the value" {
            match PolicyEnv.parse (Map.ofList [ "CODETRACER_KEEP_PARTIAL_TRACE", "maybe"; "CODETRACER_MAX_DEPTH", "-1" ]) with
            | Result.Error [ a; b ] ->
                Expect.equal a.Message "CODETRACER_KEEP_PARTIAL_TRACE=maybe: expected 1/true/t/yes/y/on or 0/false/f/no/n/off" "first"
                Expect.equal b.Message "CODETRACER_MAX_DEPTH=-1: expected a whole number >= 0" "second"
                Expect.equal (RecorderError.exitCode a) 2 "usage"
            | other -> failtestf "expected two errors, got %A" other
        }

        test "an empty CODETRACER_LOG_FILE clears a log file; filter paths split on ::" {
            let layer = PolicyEnv.parse (Map.ofList [ "CODETRACER_LOG_FILE", ""; "CODETRACER_TRACE_FILTER", "a.toml::b.toml" ])
            Expect.equal (layer |> Result.map (fun l -> l.LogFile, l.TraceFilters)) (Ok(Some None, Some [ "a.toml"; "b.toml" ])) "layer"
        }

        test "defaults are the spec's" {
            let rows = Policy.describe Policy.defaults |> List.map (fun (n, v, s) -> n, v, s)
            Expect.contains rows ("on_recorder_error", "abort", Default) "abort"
            Expect.contains rows ("max_depth", "8", Default) "depth"
            Expect.contains rows ("max_elements", "100", Default) "elements"
            Expect.contains rows ("max_string", "1000", Default) "string"
            Expect.contains rows ("log_level", "warn", Default) "warn"
            Expect.contains rows ("io_capture", "console", Default) "console"
            Expect.contains rows ("out_dir", "./trace-out", Default) "out"
            Expect.contains rows ("format", "binary", Default) "binary by default"
        }

        test "CODETRACER_FORMAT: binary or json, any case; anything else names the variable and the value" {
            let format value = PolicyEnv.parse (Map.ofList [ "CODETRACER_FORMAT", value ]) |> Result.map (fun l -> l.Format)
            Expect.equal (format "json") (Ok(Some TraceFormat.Json)) "json"
            Expect.equal (format " Binary ") (Ok(Some TraceFormat.Binary)) "binary"
            match format "bogus" with
            | Result.Error [ e ] ->
                Expect.equal e.Message "CODETRACER_FORMAT=bogus: expected binary or json" "message"
                Expect.equal e.Code "ERR_INVALID_POLICY_VALUE" "code"
                Expect.equal (RecorderError.exitCode e) 2 "usage"
            | other -> failtestf "expected one error, got %A" other
            Expect.equal (PolicyValues.traceFileName TraceFormat.Binary, PolicyValues.traceFileName TraceFormat.Json) ("trace.bin", "trace.json") "file names"
        }

        testPropertyWithConfig config "a size reads back from its text, in any unit it is a whole number of" <| fun (NonNegativeInt n) (unit: int) ->
            let units = [| ""; "K"; "M"; "G"; "T" |]
            let u = units.[abs unit % units.Length]
            let factor = pown 1024L (System.Array.IndexOf(units, u))
            let bytes = int64 n * factor
            PolicyValues.tryParseSize (string n + u) = Some bytes
            && PolicyValues.tryParseSize (string n + u.ToLowerInvariant() + (if u = "" then "" else "iB")) = Some bytes
            && PolicyValues.tryParseSize (PolicyValues.sizeText bytes) = Some bytes

        test "CODETRACER_MAX_TRACE_SIZE: 500M, 8G or bytes; 4G by default; anything else names the variable and the value" {
            let size value = PolicyEnv.parse (Map.ofList [ "CODETRACER_MAX_TRACE_SIZE", value ]) |> Result.map (fun l -> l.MaxTraceSize)
            Expect.equal (size "500M") (Ok(Some(500L * 1024L * 1024L))) "500M"
            Expect.equal (size "8g") (Ok(Some(8L <<< 30))) "8g"
            Expect.equal (size "0") (Ok(Some 0L)) "no limit"
            for bad in [ "lots"; "-1M"; "1.5G"; "12Q"; "99999999999T" ] do
                match size bad with
                | Result.Error [ e ] -> Expect.stringStarts e.Message ("CODETRACER_MAX_TRACE_SIZE=" + bad + ": expected a size") bad
                | other -> failtestf "%s: expected one error, got %A" bad other
            Expect.contains (Policy.describe Policy.defaults) ("max_trace_size", "4G", Default) "the default"
        }

        testPropertyWithConfig config "the raw log's segment budget never passes max_trace_size, and one more segment would" <| fun (NonNegativeInt header) (PositiveInt segment) (limit: int64) ->
            match CodeTracer.Core.Recording.RawLogBudget.segments header segment limit with
            | None -> limit <= 0L
            | Some n ->
                let size = CodeTracer.Core.Recording.RawLogBudget.bytes header segment
                limit > 0L && n >= 0L
                && (n = 0L || size n <= limit)
                && size (n + 1L) > limit
    ]
