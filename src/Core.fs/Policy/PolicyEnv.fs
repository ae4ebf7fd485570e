namespace CodeTracer.Core.Policy

open CodeTracer.Core.Common

/// The policy layer of the environment, read from a map of variables (the shell
/// passes the process environment; nothing here reads it).
[<RequireQualifiedAccess>]
module PolicyEnv =
    let private invalid (variable: string) (value: string) (expected: string) =
        RecorderError.create Usage "ERR_INVALID_POLICY_VALUE" (sprintf "%s=%s: expected %s" variable value expected)
        |> RecorderError.withContext "variable" variable
        |> RecorderError.withContext "value" value

    /// The variables this layer reads, in the table's order.
    let variables = PolicySettings.all |> List.map (fun s -> s.Variable)

    /// The environment's layer, or every bad value as an `ERR_INVALID_POLICY_VALUE`
    /// naming the variable and the value, in the table's order. Variables not set
    /// leave their setting alone.
    let parse (environment: Map<string, string>) : Result<PolicyLayer, RecorderError list> =
        let step (layer, errors) (setting: PolicySetting) =
            match Map.tryFind setting.Variable environment with
            | None -> layer, errors
            | Some value ->
                match setting.Read value with
                | Ok set -> PolicyLayer.merge layer (set PolicyLayer.empty), errors
                | Error expected -> layer, errors @ [ invalid setting.Variable value expected ]
        match List.fold step (PolicyLayer.empty, []) PolicySettings.all with
        | layer, [] -> Ok layer
        | _, errors -> Error errors
