namespace CodeTracer.Core.Trace

/// The names of what the conversion adds to a trace beside the program's own values.
[<RequireQualifiedAccess>]
module Markers =
    [<Literal>]
    let ReturnValueName = "<return_value>"

    /// The type of the `<await>` and `<completed>` markers a state machine returns.
    let ResumptionTypeName = "<resumption>"

    /// The return value of a frame left because another thread runs.
    let SwitchTypeName = "<thread switch>"
