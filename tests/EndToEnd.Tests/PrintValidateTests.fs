/// `codetracer validate` and `codetracer print` on recorded traces and on deliberately
/// broken copies of them; validate must agree with ct-validate.py on every folder.
module CodeTracer.EndToEnd.Tests.PrintValidateTests

open System.IO
open System.Text.Json
open System.Text.RegularExpressions
open Expecto

/// A copy of a trace folder.
let private copyFolder (source: string) : string =
    let target = Path.Combine(Repo.tempFolder (), "trace")
    Directory.CreateDirectory target |> ignore
    for f in Directory.GetFiles source do
        File.Copy(f, Path.Combine(target, FileInfo(f).Name))
    target

/// Records once per program and format and shares the folder between the tests.
let private recordings = System.Collections.Concurrent.ConcurrentDictionary<string * string, Lazy<string>>()

let private recordedAs (format: string) (program: string) : string =
    recordings.GetOrAdd(
        (program, format),
        fun _ ->
            lazy
                (let run, folder = Cli.recordWith [ "--format"; format ] program [] ""
                 if run.ExitCode <> 0 then failwithf "codetracer record --format %s %s: %s" format program run.Stderr
                 folder)
    ).Value

/// A recording in the default format (trace.bin).
let private recorded (program: string) : string = recordedAs "binary" program

/// A copy of a recorded trace.json folder, to break with text edits.
let private copyOf (program: string) : string = copyFolder (recordedAs "json" program)

let private validateCli (folder: string) (extra: string list) = Cli.codetracer ([ "validate"; folder ] @ extra)

let private lastLine (text: string) = text.TrimEnd().Split('\n') |> Array.last

/// Both validators reject the folder (ct-validate.py when present); ours names the rule with `words`.
let private bothReject (folder: string) (extra: string list) (words: string) =
    let ours = validateCli folder extra
    Expect.equal ours.ExitCode 1 (sprintf "codetracer validate exits 1:\n%s%s" ours.Stdout ours.Stderr)
    match Cli.ctValidate folder extra with
    | Some(code, output) -> Expect.equal code 1 (sprintf "ct-validate.py exits 1:\n%s" output)
    | None -> ()
    Expect.stringContains ours.Stdout ("ERROR ") "ERROR lines"
    Expect.isTrue
        (ours.Stdout.Split('\n') |> Array.exists (fun l -> l.StartsWith "ERROR " && l.Contains words))
        (sprintf "an ERROR line with '%s':\n%s" words ours.Stdout)
    Expect.stringContains (lastLine ours.Stdout) "INVALID:" "a last INVALID line"

/// Both validators accept the folder (ct-validate.py when present) and print the same OK line.
let private bothAccept (folder: string) (extra: string list) =
    let ours = validateCli folder extra
    Expect.equal ours.ExitCode 0 (sprintf "codetracer validate: %s%s" ours.Stdout ours.Stderr)
    Expect.stringStarts (ours.Stdout.Trim()) "OK: " "an OK line"
    match Cli.ctValidate folder extra with
    | Some(code, output) ->
        Expect.equal code 0 (sprintf "ct-validate.py: %s" output)
        Expect.equal (ours.Stdout.Trim()) (lastLine output) "the same OK line"
    | None -> ()

/// The lines of a trace.json, one event each (framing and commas removed).
let private eventLines (folder: string) : string list =
    File.ReadAllLines(Path.Combine(folder, "trace.json"))
    |> Array.filter (fun l -> l <> "[" && l <> "]" && l <> "")
    |> Array.map (fun l -> l.TrimEnd(','))
    |> List.ofArray

/// Writes events back as trace.json, in the recorder's framing.
let private writeEvents (folder: string) (lines: string list) =
    File.WriteAllText(Path.Combine(folder, "trace.json"), "[\n" + String.concat ",\n" lines + "\n]\n")

let private edit (folder: string) (file: string) (f: string -> string) =
    let path = Path.Combine(folder, file)
    File.WriteAllText(path, f (File.ReadAllText path))

let private replaceFirst (what: string) (by: string) (text: string) =
    let i = text.IndexOf what
    if i < 0 then failwithf "'%s' not found" what
    text.Substring(0, i) + by + text.Substring(i + what.Length)

let private print (folder: string) (args: string list) =
    let r = Cli.codetracer ([ "print"; folder ] @ args)
    Expect.equal r.ExitCode 0 (sprintf "codetracer print %A: %s" args r.Stderr)
    r.Stdout.Split('\n') |> Array.filter ((<>) "") |> List.ofArray

let validateTests =
    testList
        "validate"
        [ test "recorded traces of either format: codetracer validate and ct-validate.py both say OK, with the same counts" {
              for program in [ "Recursion"; "Arrays" ] do
                  bothAccept (recorded program) []
                  bothAccept (recordedAs "json" program) []
          }
          test "a trace.bin cut short or with a wrong header: validate and print exit 1 naming trace.bin" {
              for damage, words in
                  [ (fun (b: byte array) -> b.[.. b.Length * 2 / 3]), "no seek table"
                    (fun (b: byte array) -> Array.append [| 0xC0uy; 0xDEuy; 0x72uy; 0xACuy; 0xE2uy; 0x00uy |] b.[6..]), "the header must be" ] do
                  let folder = copyFolder (recorded "Recursion")
                  let path = Path.Combine(folder, "trace.bin")
                  File.WriteAllBytes(path, damage (File.ReadAllBytes path))
                  let ours = validateCli folder []
                  Expect.equal ours.ExitCode 1 (ours.Stdout + ours.Stderr)
                  Expect.stringContains ours.Stdout ("ERROR trace.bin: " + words) "located"
                  let printed = Cli.codetracer [ "print"; folder; "--calls" ]
                  Expect.equal printed.ExitCode 1 printed.Stderr
                  Expect.stringContains printed.Stderr words "print names it too"
          }
          test "a truncated trace.json" {
              let folder = copyOf "Recursion"
              let path = Path.Combine(folder, "trace.json")
              let bytes = File.ReadAllBytes path
              File.WriteAllBytes(path, bytes.[.. bytes.Length * 2 / 3])
              bothReject folder [] "trace.json"
          }
          test "the Step before a Call removed" {
              let folder = copyOf "Recursion"
              let lines = eventLines folder
              let lastCall = lines |> List.findIndexBack (fun l -> l.StartsWith "{\"Call\":")
              let step = lines |> List.take lastCall |> List.findIndexBack (fun l -> l.StartsWith "{\"Step\":")
              writeEvents folder (List.removeAt step lines)
              bothReject folder [] "is not directly preceded by a Step at its definition"
          }
          test "a Return too many" {
              let folder = copyOf "Recursion"
              writeEvents folder (eventLines folder @ [ """{"Return":{"return_value":{"kind":"None","type_id":0}}}""" ])
              bothReject folder [] "Return without an open Call"
          }
          test "trace_paths.json disagrees with the Path events" {
              let folder = copyOf "Arrays"
              File.WriteAllText(Path.Combine(folder, "trace_paths.json"), """["/nowhere/Program.cs"]""")
              bothReject folder [] "trace_paths.json: must list exactly the Path events"
          }
          test "an unknown event name" {
              let folder = copyOf "Arrays"
              edit folder "trace.json" (replaceFirst "{\"Step\":" "{\"Stepp\":")
              bothReject folder [] "unknown event 'Stepp'"
          }
          test "an unknown value kind" {
              let folder = copyOf "Arrays"
              edit folder "trace.json" (replaceFirst "\"kind\":\"Int\"" "\"kind\":\"Integer\"")
              bothReject folder [] "unknown value kind 'Integer'"
          }
          test "a lone surrogate in an output Event" {
              let folder = copyOf "Recursion"
              edit folder "trace.json" (replaceFirst "\"content\":\"" "\"content\":\"\\ud800")
              bothReject folder [] "Event.content holds a lone surrogate"
          }
          test "a recording_id that is not a lowercase UUID" {
              let folder = copyOf "Recursion"
              edit folder "trace_metadata.json" (fun text ->
                  match JsonDocument.Parse(text).RootElement.GetProperty("recording_id").GetString() with
                  | null -> failwith "no recording_id"
                  | id -> text.Replace(id, id.ToUpperInvariant()))
              bothReject folder [] "recording_id must be a lowercase hyphenated UUID"
          }
          test "calls left open: rejected, accepted with --partial by both" {
              let folder = copyOf "Recursion"
              let lines = eventLines folder
              writeEvents folder (List.removeAt (List.findIndexBack (fun (l: string) -> l.StartsWith "{\"Return\":") lines) lines)
              bothReject folder [] "1 call(s) never return"
              bothAccept folder [ "--partial" ]
          }
          test "a missing folder or file: exit 2 and one line naming it" {
              let missing = Path.Combine(Repo.tempFolder (), "no-such-trace")
              for command in [ "validate"; "print" ] do
                  let r = Cli.codetracer [ command; missing ]
                  Expect.equal r.ExitCode 2 (sprintf "%s: %s" command r.Stderr)
                  Expect.equal (r.Stderr.Trim().Split('\n').Length) 1 "one line"
                  Expect.stringContains r.Stderr missing "names the folder"
                  Expect.stringContains r.Stderr "ERR_TRACE_MISSING" "the code"
              let folder = copyOf "Arrays"
              File.Delete(Path.Combine(folder, "trace_paths.json"))
              let r = validateCli folder []
              Expect.equal r.ExitCode 2 r.Stderr
              Expect.stringContains r.Stderr (Path.Combine(folder, "trace_paths.json")) "names the file"
          } ]

let printTests =
    testList
        "print"
        [ test "--summary (the default): calls per function, outcome and exit code, the counts" {
              let folder = recorded "Recursion"
              let lines = print folder []
              Expect.equal (print folder [ "--summary" ]) lines "--summary is the default"
              let has (pattern: string) =
                  Expect.isTrue (lines |> List.exists (fun l -> Regex.IsMatch(l, pattern))) (sprintf "a line like /%s/ in:\n%s" pattern (String.concat "\n" lines))
              has @"^\s+5  Recursion\.Program\.Factorial\(int\)$"
              has @"^\s+25  Recursion\.Program\.Fib\(int\)$"
              has @"^\s+1  Recursion\.Program\.Main\(\)$"
              has @"^outcome\s+complete, exit code 0$"
              has @"^events\s+\d+ events, \d+ steps, 32 calls, 32 returns, 0 open calls$"
              let fib = lines |> List.findIndex (fun l -> l.Contains "Fib(int)")
              let factorial = lines |> List.findIndex (fun l -> l.Contains "Factorial(int)")
              Expect.isLessThan fib factorial "most called first"
              let top1 = print folder [ "--width"; "1" ]
              Expect.isTrue (top1 |> List.exists (fun l -> l.Trim() = "… 3 more functions")) (String.concat "\n" top1)
          }
          test "--calls --depth 3: the tree cut at depth 3, arguments and returns" {
              let lines = print (recorded "Recursion") [ "--calls"; "--depth"; "3" ]
              Expect.equal
                  lines
                  [ "<toplevel> → 0"
                    "  Recursion.Program.Main() → 0"
                    "    Recursion.Program.Factorial(int) n=5 → 120"
                    "      … 4 more calls"
                    "    Recursion.Program.Fib(int) n=6 → 8"
                    "      … 24 more calls" ]
                  "tree"
          }
          test "--calls: every level by default, --width cuts the children" {
              let folder = recorded "Recursion"
              let lines = print folder [ "--calls" ]
              let factorials = lines |> List.filter (fun l -> l.Contains "Factorial(int)")
              Expect.equal
                  factorials
                  [ "    Recursion.Program.Factorial(int) n=5 → 120"
                    "      Recursion.Program.Factorial(int) n=4 → 24"
                    "        Recursion.Program.Factorial(int) n=3 → 6"
                    "          Recursion.Program.Factorial(int) n=2 → 2"
                    "            Recursion.Program.Factorial(int) n=1 → 1" ]
                  "the whole chain"
              let narrow = print folder [ "--calls"; "--width"; "1" ]
              Expect.contains narrow "    … 25 more calls" "Fib(6) and its 24 calls cut under Main"
              let arrays = print (recorded "Arrays") [ "--calls" ]
              Expect.contains arrays "    Arrays.Program.Sum(int[]) values=[3, 1, 4, 1, 5] → 14" "array argument"
              Expect.contains arrays "    Arrays.Program.Names(Arrays.Color) color=Green → [\"a\", \"b\", \"Green\"]" "enum argument, list return"
          }
          test "--json: one event per line, as trace.json has them; a trace.bin's are the JSON recording's" {
              for program in [ "Recursion"; "Arrays" ] do
                  let json = recordedAs "json" program
                  Expect.equal (print json [ "--json" ]) (eventLines json) "trace.json's lines"
                  let lines = print (recorded program) [ "--json" ]
                  Expect.equal lines (eventLines json) "the binary recording's events are the JSON recording's"
                  for l in lines do
                      use doc = JsonDocument.Parse l
                      Expect.isTrue (doc.RootElement.ValueKind = JsonValueKind.Object || l = "\"DropLastStep\"") l
          }
          test "usage errors exit 2" {
              let folder = recorded "Arrays"
              for args in [ [ "--calls"; "--json" ]; [ "--depth"; "0" ]; [ "--bogus" ] ] do
                  let r = Cli.codetracer ([ "print"; folder ] @ args)
                  Expect.equal r.ExitCode 2 (sprintf "%A: %s" args r.Stderr)
          }
          test "a trace that does not decode: print exits 1 and says where" {
              let folder = copyOf "Arrays"
              edit folder "trace.json" (replaceFirst "{\"Step\":" "{\"Stepp\":")
              let r = Cli.codetracer [ "print"; folder; "--calls" ]
              Expect.equal r.ExitCode 1 r.Stderr
              Expect.stringContains r.Stderr "unknown event 'Stepp'" "the problem"
          } ]

let tests = testList "PrintValidate" [ validateTests; printTests ]
