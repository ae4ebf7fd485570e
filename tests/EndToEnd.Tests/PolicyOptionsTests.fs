/// The command line's policy options against the policy table: Argu's cases are written by
/// hand, so these tests keep them and the table in agreement both ways.
module CodeTracer.EndToEnd.Tests.PolicyOptionsTests

open Expecto
open Argu
open CodeTracer.Core.Policy
open CodeTracer.Cli
open CodeTracer.Cli.Arguments

/// The options of `record` that are the recording's own, not the policy's.
let private recordingOnly = set [ "--test"; "--no-framework-filters"; "--activation"; "--configuration"; "--framework"; "--property" ]

let private parser = ArgumentParser.Create<RecordArgs>(programName = "codetracer")

/// The command line's layer of `record <options> app.dll`.
let private layerOf (options: string list) =
    PolicyOptions.layer (parser.ParseCommandLine(List.toArray (options @ [ "app.dll" ])))

let tests =
    testList "PolicyOptions" [
        test "every setting with a flag is an option of record (a switch also with --no-), and every other option is the recording's own" {
            let options =
                parser.GetArgumentCases() |> List.filter (fun c -> not c.IsMainCommand) |> List.map (fun c -> c.Name.Value) |> Set.ofList
            let fromTable =
                [ for s in PolicySettings.all do
                    match s.Flag with
                    | Some flag ->
                        yield "--" + flag
                        if s.Switch then yield "--no-" + flag
                    | None -> () ]
            Expect.equal (options - recordingOnly) (Set.ofList fromTable) "the policy's options are the table's flags"
            Expect.isTrue (recordingOnly.IsSubsetOf options) "the recording's own options exist"
        }

        test "each policy option's help is its row's: the description, the variable, the default" {
            for case in parser.GetArgumentCases() do
                match PolicyOptions.settingOf (case.Name.Value.TrimStart '-') with
                | Some(s, switched) ->
                    Expect.stringContains case.Description.Value s.Variable case.Name.Value
                    if switched <> Some false then
                        Expect.stringContains case.Description.Value s.Description case.Name.Value
                        Expect.stringContains case.Description.Value ("default " + (if s.DefaultText = "" then "none" else s.DefaultText)) case.Name.Value
                | None -> Expect.isTrue (case.IsMainCommand || recordingOnly.Contains case.Name.Value) (case.Name.Value + " sets no setting")
        }

        test "each option sets its row and only it: a value by the row's parser, a switch true, its --no- false" {
            for s in PolicySettings.all do
                match s.Flag with
                | None -> ()
                | Some flag ->
                    let given = if s.Switch then [ [ "--" + flag ], "true"; [ "--no-" + flag ], "false" ] else [ [ "--" + flag; s.DefaultText ], s.DefaultText ]
                    for options, text in given do
                        match layerOf options with
                        | Ok layer ->
                            Expect.equal (PolicySettings.all |> List.filter (fun o -> o.IsSetIn layer) |> List.map (fun o -> o.Name)) [ s.Name ] flag
                            Expect.equal (s.Describe(Policy.resolve PolicyLayer.empty layer PolicyLayer.empty)) (text, Cli) flag
                        | Error message -> failtestf "%A: %s" options message
        }

        test "a later option wins, filter paths add up, and a bad value names the option, the value and what it takes" {
            let layer = layerOf [ "--require-trace"; "--max-depth"; "2"; "--no-require-trace"; "--max-depth"; "5"; "--trace-filter"; "a::b"; "--trace-filter"; "c" ]
            Expect.equal (layer |> Result.map (fun (l: PolicyLayer) -> l.RequireTrace, l.MaxDepth, l.TraceFilters)) (Ok(Some false, Some 5, Some [ "a"; "b"; "c" ])) "merged in order"
            Expect.equal (layerOf [ "--io-capture"; "files" ]) (Error "--io-capture files: expected off, console or console+fd (ERR_INVALID_POLICY_VALUE)") "io"
            Expect.equal (layerOf [ "--max-string"; "-3" ]) (Error "--max-string -3: expected a whole number >= 0 (ERR_INVALID_POLICY_VALUE)") "count"
        }
    ]
