module CodeTracer.Core.Tests.PathsTests

open Expecto
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Common

/// A file or folder name: no separator, no colon (so never a drive).
let private segment : Gen<string> =
    Gen.elements [ 'a'; 'Z'; '0'; '.'; '_'; '-'; ' '; 'é' ]
    |> Gen.nonEmptyListOf
    |> Gen.map (List.toArray >> System.String)

let private separator = Gen.elements [ "/"; "\\" ]

/// Segments joined by either separator, the way a path is written on either platform.
let private relative : Gen<string> =
    gen {
        let! first = segment
        let! rest = Gen.listOf (Gen.zip separator segment)
        return first + (rest |> List.map (fun (s, n) -> s + n) |> String.concat "")
    }

let private drive = Gen.elements [ 'C'; 'c'; 'z' ] |> Gen.map string

/// (path, absolute?): every absolute spelling the trace or a filter may hold, and the
/// relative ones that look close (`C:dir`, a rooted `\dir`, `.`-led names).
let private shaped : Gen<string * bool> =
    Gen.oneof
        [ relative |> Gen.map (fun r -> "/" + r, true)
          relative |> Gen.map (fun r -> @"\\" + r, true)
          Gen.map3 (fun d s r -> d + ":" + s + r, true) drive separator relative
          relative |> Gen.map (fun r -> r, false)
          Gen.map2 (fun d r -> d + ":" + r, false) drive relative
          relative |> Gen.map (fun r -> @"\" + r, false) ]

let tests =
    testList
        "Common.Paths"
        [ testPropertyWithConfig Generators.config "absolute exactly for a POSIX root, a UNC share or a drive root"
          <| Prop.forAll (Arb.fromGen shaped) (fun (path, absolute) -> Paths.isAbsolute path = absolute)

          testPropertyWithConfig Generators.config "the separators after the root do not change the answer"
          <| Prop.forAll (Arb.fromGen shaped) (fun (path, _) ->
              let tail (p: string) = if p.Length > 3 then p.Substring 3 else ""
              let head (p: string) = p.Substring(0, min 3 p.Length)
              Paths.isAbsolute (head path + (tail path).Replace('\\', '/')) = Paths.isAbsolute path
              && Paths.isAbsolute (head path + (tail path).Replace('/', '\\')) = Paths.isAbsolute path)

          test "short and empty texts" {
              for p, expected in [ "", false; "/", true; @"\", false; @"\\", true; "C:", false; "C:/", true; "1:/", false ] do
                  Expect.equal (Paths.isAbsolute p) expected p
          } ]
