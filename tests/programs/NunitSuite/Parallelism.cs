using NUnit.Framework;

// Fixtures run in parallel on two workers, as a real suite's would.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
