/// Peak memory of this process and of its largest finished child (getrusage on Linux).
module CodeTracer.Bench.ChildMemory

open System
open System.Runtime.InteropServices

// struct rusage is 144 bytes on 64-bit Linux; ru_maxrss (KiB) follows the two timevals.
[<DllImport("libc", SetLastError = true)>]
extern int private getrusage(int who, byte[] usage)

let private maxRssMb who =
    let usage = Array.zeroCreate<byte> 144
    if OperatingSystem.IsLinux() && getrusage(who, usage) = 0 then float (BitConverter.ToInt64(usage, 32)) / 1024.0 else nan

/// Peak resident memory of the recorder itself, in MiB.
let selfPeakMb () = maxRssMb 0

/// Peak resident memory of the largest child waited for, in MiB (RUSAGE_CHILDREN).
let childPeakMb () = maxRssMb -1
