/// The progress line: shown only on a terminal, with a quiet log, after a while.
module CodeTracer.Shell.Tests.ProgressTests

open System
open System.IO
open System.Threading
open Expecto
open CodeTracer.Core.Policy
open CodeTracer.Shell.Diagnostics

let private second = TimeSpan.FromSeconds 1.
let private moment = TimeSpan.FromMilliseconds 100.

let tests =
    testList "Progress" [
        test "shows only on a terminal, at warn or error, once the work took a while" {
            let cases =
                [ (true, LogLevel.Warn, second), true
                  (true, LogLevel.Error, second), true
                  (true, LogLevel.Warn, Progress.Delay), true
                  (false, LogLevel.Warn, second), false
                  (false, LogLevel.Error, TimeSpan.FromHours 1.), false
                  (true, LogLevel.Warn, moment), false
                  (true, LogLevel.Warn, TimeSpan.Zero), false
                  (true, LogLevel.Info, second), false
                  (true, LogLevel.Debug, second), false
                  (true, LogLevel.Trace, second), false ]
            for (terminal, level, elapsed), expected in cases do
                Expect.equal (Progress.ShouldShow(terminal, level, elapsed)) expected (sprintf "terminal %b, %A, %A" terminal level elapsed)
        }
        test "the line says what, how far in percent, and of how much" {
            Expect.equal (Progress.Line("converting the raw log", 12_000_000L, 30_000_000L, "MB")) "codetracer: converting the raw log 40% (12.0 of 30.0 MB)" "MB"
            Expect.equal (Progress.Line("instrumenting assemblies", 3L, 4L, "assemblies")) "codetracer: instrumenting assemblies 75% (3 of 4 assemblies)" "count"
            Expect.equal (Progress.Line("x", 5L, 0L, "assemblies")) "codetracer: x 0% (5 of 0 assemblies)" "no total"
        }
        test "on a terminal the line is drawn with \\r and erased at the end; redirected, nothing is written" {
            let terminal = new StringWriter()
            let redirected = new StringWriter()
            let shown = new Progress("converting", true, LogLevel.Warn, terminal)
            let hidden = new Progress("converting", false, LogLevel.Warn, redirected)
            shown.Report(1_000_000L, 2_000_000L, "MB")
            Expect.equal (terminal.ToString()) "" "nothing before the delay"
            Thread.Sleep(Progress.Delay + moment)
            shown.Report(1_000_000L, 2_000_000L, "MB")
            hidden.Report(1_000_000L, 2_000_000L, "MB")
            (shown :> IDisposable).Dispose()
            (hidden :> IDisposable).Dispose()
            let line = "codetracer: converting 50% (1.0 of 2.0 MB)"
            Expect.equal (terminal.ToString()) ("\r" + line + "\r" + String(' ', line.Length) + "\r") "drawn, then erased"
            Expect.equal (redirected.ToString()) "" "never on a redirected stderr"
        }
    ]
