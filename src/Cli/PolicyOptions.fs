/// The options of `codetracer record` that set the policy, read and explained through the
/// policy table: `--flag value` sets the setting whose flag it is, a switch `--flag` sets it
/// true and `--no-flag` false. The Argu cases are written by hand (a union cannot be generated);
/// the end-to-end tests check them against the table both ways.
module CodeTracer.Cli.PolicyOptions

open Microsoft.FSharp.Reflection
open Argu
open CodeTracer.Core.Policy

/// The setting an option name (without dashes) sets, and for a switch the value it gives.
let settingOf (option: string) : (PolicySetting * bool option) option =
    PolicySettings.all
    |> List.tryPick (fun s ->
        match s.Flag with
        | Some flag when flag = option -> Some(s, (if s.Switch then Some true else None))
        | Some flag when s.Switch && option = "no-" + flag -> Some(s, Some false)
        | _ -> None)

/// Argu's name of a case: `Max_Depth` is `max-depth`.
let private optionName (case: UnionCaseInfo) = case.Name.ToLowerInvariant().Replace('_', '-')

/// The help of a policy option: the table's description, what it takes, its default and variable.
let usage<'Args> (option: 'Args) : string =
    let case, _ = FSharpValue.GetUnionFields(option, typeof<'Args>)
    match settingOf (optionName case) with
    | Some(s, Some false) -> sprintf "switch --%s off again (over %s)." s.Flag.Value s.Variable
    | Some(s, Some true) -> sprintf "%s (default %s; %s)." s.Description s.DefaultText s.Variable
    | Some(s, None) ->
        let shown = if s.DefaultText = "" then "none" else s.DefaultText
        let repeatable = if s.Combines then "repeatable, adding up; " else ""
        sprintf "%s (%s; %sdefault %s; %s)." s.Description s.Expected repeatable shown s.Variable
    | None -> failwithf "--%s sets no policy setting" (optionName case)

/// The command line's policy layer: the options in the order given, each read by its setting
/// and merged over the ones before (a later option wins; filter paths add up). An invalid
/// value is the message of a usage error naming the option and the value.
let layer (args: ParseResults<'Args>) : Result<PolicyLayer, string> =
    let step (layer: Result<PolicyLayer, string>) (result: 'Args) =
        let case, fields = FSharpValue.GetUnionFields(result, typeof<'Args>)
        match layer, settingOf (optionName case) with
        | Error _, _
        | _, None -> layer
        | Ok below, Some(setting, switched) ->
            let text =
                match switched with
                | Some on -> if on then "true" else "false"
                | None -> string fields.[0]
            match setting.Read text with
            | Ok set -> Ok(PolicyLayer.merge below (set PolicyLayer.empty))
            | Error expected -> Error(sprintf "--%s %s: expected %s (ERR_INVALID_POLICY_VALUE)" setting.Flag.Value text expected)
    args.GetAllResults() |> List.fold step (Ok PolicyLayer.empty)
