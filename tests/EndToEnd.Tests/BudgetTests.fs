/// max_trace_size and a full disk: capture stops at the budget with a valid `truncated` trace
/// while the program runs on; a file system that refuses room, for the raw log or for the trace,
/// is ERR_DISK_FULL naming the path, never a note blaming a crash.
///
/// The full disk is a file size limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write past
/// it fails with EFBIG instead of killing the process): it needs no privilege and fills at an
/// exact size on any Linux machine. A small tmpfs would need root or user namespaces, which a CI
/// machine may not give; the recorder treats ENOSPC, EDQUOT and EFBIG alike.
module CodeTracer.EndToEnd.Tests.BudgetTests

open System.IO
open System.Text.Json
open Expecto
open CodeTracer.EndToEnd.Tests.TraceView

let private hasNote folder name = TraceView.note folder name <> ""

/// The loop workload at 1x: about 340 000 steps, a raw log of about 6.5 MB, and a trace.json
/// of about 110 MB.
let private loop = [ Repo.program "Workloads"; "--"; "loop"; "1" ]

/// `codetracer record` under a file size limit of `kib` KiB per file. The .NET runtime's W^X
/// double mapping keeps code in a memory file that the limit would cap too (the runtime then
/// reports "Out of memory" at start), so it is off for these runs.
let private recordLimited (kib: int) (args: string list) =
    Cli.runWithEnv [ "DOTNET_EnableWriteXorExecute", "0" ] "bash" ([ "-c"; sprintf "trap '' XFSZ; ulimit -f %d; exec \"$@\"" kib; "bash"; "dotnet"; Repo.cliDll; "record" ] @ args) ""

let tests =
    testList "Budgets" [
        test "--max-trace-size: capture stops at the budget, the program runs to its end, the trace is truncated there and valid" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = Cli.run "dotnet" ([ Repo.cliDll; "record"; "-o"; out; "--max-trace-size"; "1M" ] @ loop) ""
            Expect.equal run.ExitCode 0 run.Stderr
            Expect.stringContains run.Stdout "checksum " "the program ran to its end"
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            Expect.equal ((TraceView.metadata out).GetProperty("outcome").GetString()) "truncated" "outcome"
            Expect.stringContains (TraceView.note out "max_trace_size") "reached 1M" "the note states where"
            Expect.isFalse (hasNote out "exit_handlers") "no word of a crash"
            let t = load out
            Expect.isGreaterThan t.Steps.Length 1000 "what fits in 1 MiB was kept"
            Expect.isLessThan t.Steps.Length 300_000 "and no more"
            Expect.isTrue (t.Calls |> List.forall (fun c -> c.Returned.IsSome)) "balanced: every open call returned"
            let cut = t.Calls |> List.filter (fun c -> c.Returned = Some "<truncated>") |> List.map (fun c -> c.Function)
            Expect.contains cut "Workloads.Program.Main(string[])" "the calls open at the budget say they were cut"
            Expect.contains cut "<toplevel>" "and so does <toplevel>"
        }
        test "--max-trace-size takes sizes such as 500M; anything else is a usage error naming it" {
            let run = Cli.codetracer [ "record"; "-o"; Path.Combine(Repo.tempFolder (), "trace"); "--max-trace-size"; "lots"; Repo.program "ExitCode" ]
            Expect.equal run.ExitCode 2 run.Stderr
            Expect.stringContains run.Stderr "--max-trace-size lots: expected a size such as 500M" "says what it takes"
            let env = Cli.runWithEnv [ "CODETRACER_MAX_TRACE_SIZE", "8Q" ] "dotnet" [ Repo.cliDll; "policy" ] ""
            Expect.equal env.ExitCode 2 env.Stderr
            Expect.stringContains env.Stderr "CODETRACER_MAX_TRACE_SIZE=8Q" "names the variable and the value"
            let shown = Cli.runWithEnv [ "CODETRACER_MAX_TRACE_SIZE", "500m" ] "dotnet" [ Repo.cliDll; "policy" ] ""
            Expect.stringContains shown.Stdout "500M" "the policy shows it"
        }
        test "the raw log's disk is full, under abort: exit 1, ERR_DISK_FULL naming the raw log, nothing published, the program runs on" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = recordLimited 8192 ([ "-o"; out ] @ loop)
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.stringContains run.Stderr "ERR_DISK_FULL" "the code"
            Expect.stringContains run.Stderr "raw.log: the disk is full (file too large)" "the path and the system's words"
            Expect.stringContains run.Stdout "checksum " "the program ran to its end"
            Expect.isFalse (Directory.Exists out) "nothing published"
        }
        test "the raw log's disk is full, under disable: the trace is disabled, valid, and its note is the full disk" {
            let out = Path.Combine(Repo.tempFolder (), "trace")
            let run = recordLimited 8192 ([ "-o"; out; "--on-recorder-error"; "disable" ] @ loop)
            Expect.equal run.ExitCode 0 run.Stderr
            let code, output = Cli.validate out []
            Expect.equal code 0 output
            Expect.equal ((TraceView.metadata out).GetProperty("outcome").GetString()) "disabled" "outcome"
            Expect.stringStarts (TraceView.note out "recorder_error") "ERR_DISK_FULL: " "the note is the full disk"
            Expect.stringContains (TraceView.note out "recorder_error") "raw.log" "naming the raw log"
            Expect.isFalse (hasNote out "exit_handlers") "no word of a crash"
        }
        test "the trace's disk is full: exit 1, ERR_DISK_FULL naming the folder the trace was written in, nothing left behind" {
            let parent = Repo.tempFolder ()
            let out = Path.Combine(parent, "trace")
            // Room for the raw log (16 MiB, allocated at once) but not for trace.json.
            let run = recordLimited (20 * 1024) ([ "-o"; out; "--format"; "json" ] @ loop)
            Expect.equal run.ExitCode 1 run.Stderr
            Expect.stringContains run.Stderr "ERR_DISK_FULL" "the code"
            Expect.stringContains run.Stderr (Path.Combine(parent, ".trace.partial-")) "the scratch folder beside the output folder"
            Expect.isEmpty (Directory.GetFileSystemEntries parent) "no trace, no scratch folder"
        }
    ]
