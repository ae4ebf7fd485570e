module CodeTracer.Core.Tests.Main

open Expecto

[<EntryPoint>]
let main argv =
    Tests.runTestsWithCLIArgs [] argv (testList "Core" [ PathsTests.tests; ValidationTests.tests; JsonTests.tests; Uuid7Tests.tests; OutcomeTests.tests; TestRunTests.tests; LeftoversTests.tests; ProjectBuildTests.tests; OutputFolderTests.tests; RawRecordTests.tests; ConversionTests.tests; ThreadConversionTests.tests; ValueConversionTests.tests; PolicyTests.tests; DiagnosticsTests.tests; StackOverflowTextTests.tests; SelectorTests.tests; FilterLoaderTests.tests; FilterLimitsTests.tests; DecisionTests.tests; FilterSummaryTests.tests; TestFrameworksTests.tests; FieldPolicyTests.tests; SecretWordsTests.tests; TraceValidationTests.tests; CborTests.tests ])
