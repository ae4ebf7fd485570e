module CodeTracer.Shell.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    Tests.runTestsWithCLIArgs
        []
        argv
        (testList
            "Shell"
            [ DisplayNamesTests.tests
              ValueProbesTests.tests
              MethodRewriterTests.tests
              StateMachineTests.tests
              IlSplicerTests.tests
              UnwindGuardTests.tests
              VisibleVariablesTests.tests
              AssemblyRewriterTests.tests
              ValueSubjectsTests.tests
              ModernShapesTests.tests
              ProgramNamesTests.tests
              ProbeTableAgreementTests.tests
              RecordRoundTripTests.tests
              SecretRuleAgreementTests.tests
              RuntimeBundlingTests.tests
              PolicyLayersTests.tests
              TraceFolderTests.tests
              RawLogReaderTests.tests
              RawLogConverterTests.tests
              TraceBinTests.tests
              ProgressTests.tests
              FacadeSurfaceTests.tests ])
