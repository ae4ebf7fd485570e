/// `codetracer policy`: the effective policy, each value with its source.
module CodeTracer.Cli.PolicyCommand

open Argu
open CodeTracer.Core.Common
open CodeTracer.Core.Policy
open CodeTracer.Cli.Arguments
open CodeTracer.Shell
open CodeTracer.Shell.Session

let run (args: ParseResults<RecordArgs>) : int =
    match PolicyOptions.layer args with
    | Error message ->
        eprintfn "codetracer: %s" message
        2
    | Ok cli ->
        try
            for name, value, source in Policy.describe (PolicyResolver.Resolve cli) do
                printfn "%-20s %-24s (%s)" name (if value = "" then "-" else value) (PolicyValues.sourceText source)
            0
        with :? RecorderException as e ->
            eprintfn "%s" (RecorderError.render e.Error)
            RecorderError.exitCode e.Error
