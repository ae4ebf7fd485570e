namespace CodeTracer.Core.Common

/// Who is to blame for a failure, which decides the exit code.
type ErrorKind =
    /// The user asked for something impossible (bad option, missing target): exit 2.
    | Usage
    /// The machine or its files got in the way: exit 1.
    | Environment
    /// The program to record is not recordable as it is: exit 1.
    | Target
    /// The recorder itself failed: exit 1.
    | Internal

/// Every failure of the recorder, as a value.
type RecorderError =
    { Kind: ErrorKind
      /// A stable code such as `ERR_TARGET_NOT_FOUND`.
      Code: string
      Message: string
      Context: (string * string) list }

/// Building and rendering errors, and the exit-code rule.
[<RequireQualifiedAccess>]
module RecorderError =
    /// An error with no context.
    let create kind code message = { Kind = kind; Code = code; Message = message; Context = [] }

    /// The same error with one more context pair.
    let withContext key value (e: RecorderError) = { e with Context = e.Context @ [ key, value ] }

    /// One line for a person: `codetracer: message (ERR_CODE)`.
    let render (e: RecorderError) : string = sprintf "codetracer: %s (%s)" e.Message e.Code

    /// The exit code of a failed run.
    let exitCode (e: RecorderError) : int =
        match e.Kind with
        | Usage -> 2
        | Environment
        | Target
        | Internal -> 1

/// The exit code of a run that recorded the program.
[<RequireQualifiedAccess>]
module ExitCode =
    /// 0 whatever the program returned, or the program's own code when asked to propagate it.
    let ofRecording (propagate: bool) (programExitCode: int) : int = if propagate then programExitCode else 0
