/// builtin-default's secret rule end to end (trace-filter.md, "Built-in filters"): the
/// program `Secrets` plants secrets where the substring rule leaked them and ordinary
/// names it hid. No planted secret may appear in any file the recorder writes, while the
/// program runs (staging folder, raw log) or after (the trace folder, decoded too); the
/// ordinary values must be visible.
module CodeTracer.EndToEnd.Tests.SecretTests

open System
open System.Diagnostics
open System.IO
open System.Text
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

/// The secrets, by the variable the program reads each from (never in its own files).
let private secrets =
    [ "CT_SECRET_SETTER", "zq7-setter-secret"
      "CT_SECRET_FIELD", "zq7-field-secret"
      "CT_SECRET_ARG", "zq7-argument-secret"
      "CT_SECRET_DICT", "zq7-dictionary-secret"
      "CT_SECRET_RECORD", "zq7-record-secret"
      "CT_SECRET_RETURN", "zq7-return-secret"
      "CT_SECRET_ASYNC", "zq7-async-secret"
      "CT_SECRET_YIELD", "zq7-yield-secret"
      "CT_SECRET_HASHTABLE", "zq7-hashtable-secret"
      "CT_SECRET_SORTED", "zq7-sorted-dictionary-secret"
      "CT_SECRET_SORTEDLIST", "zq7-sorted-list-secret"
      "CT_SECRET_CONCURRENT", "zq7-concurrent-secret"
      "CT_SECRET_IMMUTABLE", "zq7-immutable-secret"
      "CT_SECRET_OBJECT", "zq7-object-value-secret"
      "CT_SECRET_PAIR", "zq7-pair-secret"
      "CT_SECRET_ENTRY", "zq7-entry-secret"
      "CT_SECRET_TUPLE", "zq7-tuple-secret"
      "CT_SECRET_DERIVED", "zq7-derived-map-secret" ]

/// Whether `text` is in `bytes` as UTF-8 or as UTF-16 (the raw log's strings are UTF-16).
let private holds (bytes: byte array) (text: string) =
    let contains (needle: byte array) = bytes.AsSpan().IndexOf(ReadOnlySpan needle) >= 0
    contains (Encoding.UTF8.GetBytes text) || contains (Encoding.Unicode.GetBytes text)

/// The files of the folders under `folder`, read. Files right in it are left out: in the
/// recorder's temporary folder those are the .NET runtime's debug pipes and diagnostics
/// sockets (a FIFO blocks whoever opens it), not the recorder's.
let private filesUnder (folder: string) =
    [ for dir in Directory.EnumerateDirectories folder do
          for file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories) do
              // A file the recorder deletes meanwhile, or a socket, holds nothing.
              let bytes = try File.ReadAllBytes file with :? IOException | :? UnauthorizedAccessException -> [||]
              yield file, bytes ]

/// Every (file, secret) with the secret in the file, in the folders under `folder`.
let private leaks (folder: string) =
    [ for file, bytes in filesUnder folder do
          for _, secret in secrets do
              if holds bytes secret then yield file, secret ]

/// The files in the folders under `folder` holding `text`.
let private holders (folder: string) (text: string) =
    [ for file, bytes in filesUnder folder do
          if holds bytes text then yield file ]

/// Records `Secrets` with the secrets in its environment and the recorder's temporary
/// folder (`tmp`) and the output's parent (`out`) inside the test's own; with a handshake
/// folder, `whileRunning` gets the test's folder once the program has planted every
/// secret, before it may finish.
let private record (format: string) (whileRunning: (string -> unit) option) =
    let root = Repo.tempFolder ()
    let temp = Directory.CreateDirectory(Path.Combine(root, "tmp")).FullName
    let handshake = Directory.CreateDirectory(Path.Combine(Repo.tempFolder (), "handshake")).FullName
    let out = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "out")).FullName, "trace")
    let info = ProcessStartInfo("dotnet", UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true)
    for a in [ Repo.cliDll; "record"; "--format"; format; "-o"; out; Repo.program "Secrets" ] do
        info.ArgumentList.Add a
    if whileRunning.IsSome then
        info.ArgumentList.Add "--"
        info.ArgumentList.Add handshake
    for name, value in secrets do
        info.Environment.[name] <- value
    info.Environment.["TMPDIR"] <- temp
    info.WorkingDirectory <- Repo.root
    use p = Process.Start info
    let stdout = p.StandardOutput.ReadToEndAsync()
    let stderr = p.StandardError.ReadToEndAsync()
    try
        match whileRunning with
        | Some check ->
            let ready = Path.Combine(handshake, "ready")
            let clock = Stopwatch.StartNew()
            while not (File.Exists ready) && not p.HasExited && clock.Elapsed < TimeSpan.FromSeconds 90.0 do
                Threading.Thread.Sleep 50
            Expect.isTrue (File.Exists ready) (sprintf "the program got ready: %s" (if p.HasExited then stderr.Result else "timed out"))
            check root
            File.WriteAllText(Path.Combine(handshake, "go"), "")
        | None -> ()
        if not (p.WaitForExit 120_000) then failtest "the recording did not finish in 120 s"
    finally
        if not p.HasExited then p.Kill true
    Expect.equal p.ExitCode 0 (stdout.Result + stderr.Result)
    out

let private binary = lazy (
    let mutable during = []
    // The recorder's temporary folder (staging, raw log) and the output's (scratch).
    let search root =
        let temp = Path.Combine(root, "tmp")
        during <- [ leaks temp @ leaks (Path.Combine(root, "out")), holders temp "lexeme-ordinary" ]
    let out = record "binary" (Some search)
    out, during)

let private json = lazy (record "json" None)

let private arg name (c: CallView) = c.Args |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd

let private stats (folder: string) =
    let meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "trace_metadata.json"))).RootElement
    meta.GetProperty("trace_filter").GetProperty("stats")

let tests =
    testList "Secrets" [
        test "no planted secret is in any file of the recorder's folders while the program runs, where an ordinary value is" {
            let _, during = binary.Value
            let leaked, ordinary = List.exactlyOne during
            Expect.isEmpty leaked "no secret in the staging folder, raw log or scratch"
            // The search was not vacuous: the raw log already holds the program's ordinary values.
            Expect.isNonEmpty ordinary "an ordinary value the program wrote before it got ready is on disk"
        }
        test "no planted secret is in any file of a binary trace folder, nor in its decoded events" {
            let out, _ = binary.Value
            Expect.isEmpty (leaks (Path.GetDirectoryName out)) "no secret in trace.bin, trace_metadata.json or trace_paths.json"
            let events = TraceView.text out
            for _, secret in secrets do
                Expect.isFalse (events.Contains secret) (secret + " in the decoded events")
            Expect.stringContains events "region-ordinary" "the decoded events hold the ordinary values"
        }
        test "no planted secret is in any file of a JSON trace folder" {
            let out = json.Value
            Expect.isEmpty (leaks (Path.GetDirectoryName out)) "no secret in trace.json or the metadata"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, "trace.json"))) "region-ordinary" "ordinary values in trace.json"
        }
        test "each planted secret shows <redacted> where it was" {
            let t = load json.Value
            let only name = callsOf name t |> List.exactlyOne
            Expect.equal (arg "value" (only "Vault.Settings.set_Password(string)")) (Some "<redacted>") "a setter's value, judged by its property"
            Expect.equal (arg "value" (only "Vault.Settings.set_Name(string)")) (Some "name-ordinary") "an ordinary setter's value"
            Expect.equal (arg "connectionString" (only "Vault.Db.Open(string)")) (Some "<redacted>") "a connectionString argument"
            Expect.equal (arg "ApiKey" (only "Vault.ApiCredentials..ctor(string, string)")) (Some "<redacted>") "a record's ApiKey"
            Expect.equal (only "Vault.Db.GetPassword()").Returned (Some "<redacted>") "a return by its method's own name"
            let async = callsOf "Vault.Db.GetPasswordAsync()" t |> List.map (fun c -> c.Returned)
            Expect.contains async (Some "<redacted>") "an async method's result"
            let yields = callsOf "Vault.Db.PasswordStream()" t |> List.map (fun c -> c.Returned)
            Expect.contains yields (Some "<redacted>") "an iterator's item"
            let values name = t.Steps |> List.choose (fun s -> s.Values.TryFind name) |> List.distinct
            let settings = values "settings" |> List.last
            Expect.stringContains settings "Password: <redacted>" "a backing field"
            Expect.stringContains settings "ConnectionString: <redacted>" "a connectionString field"
            Expect.contains (values "config") "[(password, <redacted>), (region, region-ordinary)]" "a dictionary entry under \"password\""
            Expect.stringContains (values "login" |> List.last) "ApiKey: <redacted>, Region: eu-ordinary" "the record's fields"
        }
        test "a value under a secret key of any map or key/value pair shows <redacted>, one under an ordinary key its value" {
            let t = load json.Value
            let last name =
                match t.Steps |> List.choose (fun s -> s.Values.TryFind name) with
                | [] -> failtestf "no value of %s" name
                | values -> List.last values
            // A hashed map's order depends on the run's string hashes: each entry is looked for alone.
            for local, secretKey, ordinary in
                [ "table", "apiKey", "(zone, zone-ordinary)"
                  "sorted", "clientSecret", "(color, color-ordinary)"
                  "list", "db_password", "(mode, mode-ordinary)"
                  "concurrent", "sessionId", "(theme, theme-ordinary)"
                  "immutable", "privateKey", "(locale, locale-ordinary)"
                  "boxed", "Credentials", "(size, 3)"
                  "options", "masterKey", "(shape, shape-ordinary)" ] do
                let shown = last local
                Expect.stringContains shown (sprintf "(%s, <redacted>)" secretKey) (local + ": the entry under a secret key")
                Expect.stringContains shown ordinary (local + ": the entry under an ordinary key")
            Expect.stringContains (last "pair") "passwd" "a KeyValuePair's key stays"
            Expect.stringContains (last "pair") "<redacted>" "a KeyValuePair under a secret key"
            Expect.stringContains (last "entry") "<redacted>" "a DictionaryEntry under a secret key"
            Expect.stringContains (last "tuple") "(cookie, <redacted>)" "a 2-tuple whose first item is a secret key"
            Expect.stringContains (last "ordinaryPair") "font-ordinary" "a KeyValuePair under an ordinary key"
        }
        test "ordinary names stay visible: span, tokens, Token, MinimumSpanningTree, Jaccard, ProcessNeighbors" {
            let t = load json.Value
            let only name = callsOf name t |> List.exactlyOne
            Expect.equal (only "Graphs.Kruskal.Solve(int)").Returned (Some "{Weight: 3333, Edges: [edge-ordinary-a]}") "a MinimumSpanningTree return"
            Expect.equal (only "Graphs.Kruskal.Jaccard(HashSet<int>, HashSet<int>)").Returned (Some "0.5") "Jaccard"
            Expect.contains (callsOf "Graphs.Kruskal.ProcessNeighbors(int)" t |> List.map (fun c -> c.Returned)) (Some "42") "ProcessNeighbors"
            Expect.equal (only "Lexing.Lexer.NextToken(string, int)").Returned (Some "{Kind: word, Text: lexeme-o}") "a lexer's Token"
            let values name = t.Steps |> List.choose (fun s -> s.Values.TryFind name) |> List.distinct
            Expect.contains (values "span") "3333" "span"
            Expect.contains (values "tokens") "[{Kind: word, Text: lexeme-o}]" "a lexer's tokens"
            Expect.contains (values "currentToken") "{Kind: word, Text: lexeme-o}" "currentToken of type Token"
        }
        test "the counters count what was redacted, fields and dictionary entries included" {
            let s = stats json.Value
            let redactions kind = s.GetProperty("value_redactions").GetProperty(kind: string).GetInt64()
            Expect.isGreaterThanOrEqual (redactions "arg") 3L "set_Password's value, connectionString, ApiKey"
            Expect.isGreaterThanOrEqual (redactions "ret") 3L "GetPassword, GetPasswordAsync, PasswordStream"
            // Password, ConnectionString, ApiKey, the "password" entry, and the ten values under the secret keys of Keyed.Plant.
            Expect.isGreaterThanOrEqual (redactions "field") 14L "fields and values under secret keys, as written"
        }
    ]
