namespace CodeTracer.Core.Policy

/// One field of a record: how to read it and how to set it.
type Lens<'Record, 'Field> =
    { Get: 'Record -> 'Field
      Set: 'Field -> 'Record -> 'Record }

/// What kind of value a setting holds: how its text reads, how it is written back,
/// and how a value set above combines with one set below.
type Kind<'T> =
    { /// The value of a text (from a variable, an option), or None when malformed.
      Parse: string -> 'T option
      /// The value as `codetracer policy` and the metadata show it; parses back to it.
      Text: 'T -> string
      /// What a value may be, after "expected" in an error and in the help.
      Expected: string
      /// A boolean: the command line has `--flag` (true) and `--no-flag` (false).
      Switch: bool
      /// None: a value set above replaces the one below. Some f: f below above (filter paths add up).
      Combine: ('T -> 'T -> 'T) option }

/// The kinds of the policy's settings, over the spellings of `PolicyValues`.
[<RequireQualifiedAccess>]
module PolicyKinds =
    let private replaced parse text expected =
        { Parse = parse; Text = text; Expected = expected; Switch = false; Combine = None }

    /// The spec's boolean words.
    let boolean: Kind<bool> =
        { replaced PolicyValues.tryParseBool (fun b -> if b then "true" else "false") "1/true/t/yes/y/on or 0/false/f/no/n/off" with
            Switch = true }

    /// A whole number >= 0.
    let count: Kind<int> = replaced PolicyValues.tryParseCount string "a whole number >= 0"

    /// A size in bytes with an optional unit.
    let size: Kind<int64> = replaced PolicyValues.tryParseSize PolicyValues.sizeText PolicyValues.sizeWords

    let onRecorderError: Kind<OnRecorderError> =
        replaced PolicyValues.tryParseOnRecorderError PolicyValues.onRecorderErrorText "abort or disable"

    let logLevel: Kind<LogLevel> =
        replaced PolicyValues.tryParseLogLevel PolicyValues.logLevelText "trace, debug, info, warn or error"

    let ioCapture: Kind<IoCapture> =
        replaced PolicyValues.tryParseIoCapture PolicyValues.ioCaptureText "off, console or console+fd"

    let format: Kind<TraceFormat> = replaced PolicyValues.tryParseFormat PolicyValues.formatText "binary or json"

    /// A file that may be unset again: the empty text clears it.
    let optionalPath: Kind<string option> =
        replaced (fun s -> Some(if s = "" then None else Some s)) (Option.defaultValue "") "a path, or empty to clear it"

    /// A folder that must be named.
    let folder: Kind<string> = replaced (fun s -> if s.Trim() = "" then None else Some s) id "a folder path"

    /// Paths joined with `::`; the paths of the layers add up, lowest first.
    let paths: Kind<string list> =
        { replaced (PolicyValues.splitPaths >> Some) (String.concat "::") "filter paths joined with ::" with
            Combine = Some(@) }
