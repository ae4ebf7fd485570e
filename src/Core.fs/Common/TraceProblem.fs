namespace CodeTracer.Core.Common

/// A problem found in a trace folder: where (a file, `event #12 (Call)`, `trace`) and what.
type TraceProblem = { Where: string; Message: string }

/// Located problems.
[<RequireQualifiedAccess>]
module TraceProblem =
    /// A problem at `where`.
    let create (where: string) (message: string) : TraceProblem = { Where = where; Message = message }

    /// `where: message`, the form of ct-validate.py's `ERROR` lines.
    let render (p: TraceProblem) : string = p.Where + ": " + p.Message
