/// Peak memory of this process and of its largest finished child (Linux getrusage).
module CodeTracer.Bench.ChildMemory

open System.Runtime.InteropServices

[<Struct; StructLayout(LayoutKind.Sequential)>]
type private RUsage =
    val UserSec: int64
    val UserUsec: int64
    val SysSec: int64
    val SysUsec: int64
    val MaxRssKb: int64
    [<MarshalAs(UnmanagedType.ByValArray, SizeConst = 13)>]
    val Rest: int64 array

[<DllImport("libc", SetLastError = true)>]
extern int private getrusage(int who, RUsage& usage)

let private maxRssMb who =
    let mutable u = RUsage()
    if OperatingSystem.IsLinux() && getrusage(who, &u) = 0 then float u.MaxRssKb / 1024.0 else nan

/// Peak resident memory of the recorder itself, in MiB.
let selfPeakMb () = maxRssMb 0

/// Peak resident memory of the largest child waited for, in MiB (-1 = RUSAGE_CHILDREN).
let childPeakMb () = maxRssMb -1
