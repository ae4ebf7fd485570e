module CodeTracer.EndToEnd.Tests.Main

open Expecto

[<EntryPoint>]
let main argv = Tests.runTestsWithCLIArgs [] argv (testList "EndToEnd" [ RecordTests.tests; PolicyTests.tests; PolicyOptionsTests.tests; LifecycleTests.tests; LeftoverTests.tests; BudgetTests.tests; FilterTests.tests; SecretTests.tests; ProjectTests.tests; ChildProcessTests.tests; PrintValidateTests.tests; ExceptionTests.tests; AsyncLambdaTests.tests; ThreadTests.tests; ValueTests.tests; TestRunTests.tests; ConstructTests.tests; PackTests.tests; ChangeCaptureTests.tests; ModernTests.tests; FSharpProgramTests.tests; OutputFolderTests.tests; IoErrorTests.tests; StopTests.tests; PreservedBehaviourTests.tests; BigTraceTests.tests; SuiteTests.tests; ExitTests.tests ])
