/// The runtime's own writers (Probe, ObjectWriter, ConsoleCapture, ThreadBuffer) run in this
/// process: generated calls into them, the records each must read back as, and the bytes they
/// wrote. The round trip through Core's decoder (RecordRoundTripTests) checks that the runtime
/// lays every record out as the record table says.
module CodeTracer.Shell.Tests.RuntimeWriter

open System
open System.IO
open System.Numerics
open System.Reflection
open System.Threading
open FsCheck
open FsCheck.FSharp
open CodeTracer.Core.Probes
open CodeTracer.Runtime

/// A class the runtime reads field by field (a Struct record, its names in a FieldsDef).
type Pair = { Left: objnull; Right: objnull }

// ---------------------------------------------------------------------------
// Values: an object and the RawValue the runtime's object writer gives it.

/// A type's name as the runtime's TypeDef records give it.
let nameOf (t: Type) = nonNull t.FullName

let private cut (s: string) = RString(s.Substring(0, min s.Length Limits.MaxString), s.Length)

/// A boxed value: the object and what it reads back as, written on its own (`Value`) and as an
/// element of a sequence (`Item`: a primitive without its Boxed wrapper, the sequence names it).
type Boxed = { Object: objnull; Value: RawValue; Item: RawValue }

let private same o v = { Object = o; Value = v; Item = v }

let private primitive (o: obj) (bare: RawValue) =
    { Object = o; Value = RBoxed(nameOf (o.GetType()), bare); Item = bare }

let private text : Gen<string> =
    Gen.frequency
        [ 6, Gen.elements [ ""; "a"; "hello"; "naïve ünïcode"; "中文"; "\U0001F600"; "tab\tnew\nline" ]
          2, Gen.choose (0, 0xFFFF) |> Gen.map char |> Gen.arrayOf |> Gen.map String
          // Longer than max_string: cut, with its full length.
          1, Gen.choose (990, 1100) |> Gen.map (fun n -> String('x', n)) ]

let private anyInt64 = Gen.oneof [ Gen.choose (-1000, 1000) |> Gen.map int64; Gen.elements [ Int64.MinValue; Int64.MaxValue; 0L ] ]

/// Any 96-bit magnitude below 2^64, scale 0..28, either sign (the scale shows: 1.0 is not 1).
let private decimalGen =
    gen {
        let! lo = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! mid = Gen.choose (Int32.MinValue, Int32.MaxValue)
        let! negative = Gen.elements [ true; false ]
        let! scale = Gen.choose (0, 28)
        return Decimal(lo, mid, 0, negative, byte scale)
    }

let private leaf : Gen<Boxed> =
    Gen.oneof
        [ Gen.constant (same null RNull)
          text |> Gen.map (fun s -> same s (cut s))
          Gen.choose (Int32.MinValue, Int32.MaxValue) |> Gen.map (fun i -> primitive (box i) (RInt(int64 i)))
          anyInt64 |> Gen.map (fun i -> primitive (box i) (RInt i))
          Gen.choose (0, 255) |> Gen.map (fun b -> primitive (box (byte b)) (RInt(int64 b)))
          anyInt64 |> Gen.map (fun i -> primitive (box (uint64 i)) (RUInt(uint64 i)))
          anyInt64 |> Gen.map (fun i -> let d = BitConverter.Int64BitsToDouble i in primitive (box d) (RDouble d))
          Gen.choose (Int32.MinValue, Int32.MaxValue) |> Gen.map (fun i -> let f = BitConverter.Int32BitsToSingle i in primitive (box f) (RSingle f))
          Gen.elements [ true; false ] |> Gen.map (fun b -> primitive (box b) (RBool b))
          Gen.choose (0, 0xFFFF) |> Gen.map (fun c -> primitive (box (char c)) (RChar(char c)))
          // No primitive: an element keeps its Boxed wrapper.
          decimalGen
          |> Gen.map (fun m -> same (box m) (RBoxed("System.Decimal", RDecimal m)))
          Gen.elements (List.ofArray (Enum.GetValues<DayOfWeek>()))
          |> Gen.map (fun d -> same (box d) (REnum(nameOf typeof<DayOfWeek>, int64 d, d.ToString())))
          anyInt64
          |> Gen.map (fun i ->
              let big = BigInteger i * BigInteger Int64.MaxValue
              let magnitude = Convert.ToBase64String(BigInteger.Abs(big).ToByteArray(isUnsigned = true, isBigEndian = true))
              same (box big) (RBigInt(nameOf typeof<BigInteger>, big.Sign < 0, magnitude)))
          Gen.constant (same (box (Action ignore)) (RRawObject (nameOf typeof<Action>)))
          // A platform value shown as its text.
          Gen.choose (-100000, 100000)
          |> Gen.map (fun s ->
              let t = TimeSpan.FromSeconds(float s)
              same (box t) (RRawText(nameOf typeof<TimeSpan>, t.ToString("c", Globalization.CultureInfo.InvariantCulture))))
          // Past max_elements: the first ones, with the whole length.
          Gen.choose (0, 130)
          |> Gen.map (fun n ->
              let items = Array.init n id
              same (box items) (RSequence(nameOf typeof<int[]>, n, [ for i in items |> Array.truncate Limits.MaxElements -> RInt(int64 i) ]))) ]

let rec private boxedOfSize (size: int) : Gen<Boxed> =
    if size <= 1 then leaf
    else
        let inner = Gen.delay (fun () -> boxedOfSize (size / 3))
        let items = Gen.choose (0, 4) |> Gen.bind (fun n -> Gen.listOfLength n inner)
        Gen.frequency
            [ 3, leaf
              1,
              items
              |> Gen.map (fun xs ->
                  let array = xs |> List.map (fun x -> x.Object) |> Array.ofList
                  same (box array) (RSequence(nameOf typeof<obj[]>, array.Length, xs |> List.map (fun x -> x.Item))))
              1,
              Gen.map2
                  (fun a b ->
                      let tuple = Tuple<obj, obj>(a.Object, b.Object)
                      same (box tuple) (RTuple(nameOf (tuple.GetType()), [ a.Value; b.Value ])))
                  inner inner
              1,
              Gen.map2
                  (fun a b -> same (box { Left = a.Object; Right = b.Object }) (RStruct(nameOf typeof<Pair>, [ "Left", a.Value; "Right", b.Value ])))
                  inner inner
              1,
              inner
              |> Gen.map (fun a -> same (box (Some a.Object)) (RVariant(nameOf typeof<obj option>, "Some", [ a.Value ]))) ]

/// Boxed values of every kind the generator knows, nested.
let boxed : Gen<Boxed> = Gen.sized (fun size -> boxedOfSize (min size 40))

// ---------------------------------------------------------------------------
// Calls: one use of a probe (or another writer of the runtime) within a recorded call.

/// The frame of the recorded call, once Enter returned it.
type FrameCell = { mutable Frame: Frame | null }

/// One call into the runtime and the records it must read back as. `Probe` is the row of
/// the probe table it calls (None: a writer no instrumented code calls).
type Call =
    { Name: string
      Probe: ProbeRow option
      Run: FrameCell -> unit
      Expected: RawRecord list }

let private call name probe (run: Frame -> unit) expected =
    { Name = name; Probe = Some probe; Run = (fun cell -> run (nonNull cell.Frame)); Expected = expected }

/// Console output goes through the runtime's capture writer (its constructor is private: it
/// is installed by the startup hook).
let private console (stream: byte) =
    let t = typeof<Probe>.Assembly.GetType("CodeTracer.Runtime.ConsoleCapture", true)
    Activator.CreateInstance(t, BindingFlags.NonPublic ||| BindingFlags.Instance, null, [| box TextWriter.Null; box stream |], null) :?> TextWriter

let private position = Gen.choose (0, 65535)

/// Places of ValObjectAt: each call its own, so that the frame has never written one (it
/// writes a value only when it differs from what the place held).
let mutable private nextPlace = 0

let private callGen : Gen<Call> =
    let value name probe (g: Gen<'T>) (run: 'T -> unit) (expected: 'T -> RawValue) =
        g |> Gen.map (fun v -> call name probe (fun _ -> run v) [ RValue(expected v) ])
    let fused name probe (g: Gen<'T>) (run: 'T -> int -> Frame -> unit) (expected: 'T -> RawValue) =
        Gen.zip g position |> Gen.map (fun (v, p) -> call name probe (fun f -> run v p f) [ RAt p; RValue(expected v) ])
    let str = Gen.frequency [ 5, text |> Gen.map Some; 1, Gen.constant None ]
    let ofString s = match s with Some s -> cut s | None -> RNull
    let double = anyInt64 |> Gen.map BitConverter.Int64BitsToDouble
    let single = Gen.choose (Int32.MinValue, Int32.MaxValue) |> Gen.map BitConverter.Int32BitsToSingle
    let chr = Gen.choose (0, 0xFFFF) |> Gen.map char
    Gen.frequency
        [ 3, Gen.choose (Int32.MinValue, Int32.MaxValue) |> Gen.map (fun s -> call "Step" ProbeTable.step (fun f -> Probe.Step(f, s)) [ RStep s ])
          2, position |> Gen.map (fun p -> call "At" ProbeTable.at (fun _ -> Probe.At p) [ RAt p ])
          1, value "ValInt" ProbeTable.valInt anyInt64 Probe.ValInt RInt
          1, value "ValUInt" ProbeTable.valUInt anyInt64 (uint64 >> Probe.ValUInt) (uint64 >> RUInt)
          1, value "ValDouble" ProbeTable.valDouble double Probe.ValDouble RDouble
          1, value "ValSingle" ProbeTable.valSingle single Probe.ValSingle RSingle
          1, value "ValBool" ProbeTable.valBool (Gen.elements [ true; false ]) Probe.ValBool RBool
          1, value "ValChar" ProbeTable.valChar chr Probe.ValChar RChar
          1, value "ValString" ProbeTable.valString str (fun s -> Probe.ValString(Option.toObj s)) ofString
          1, value "ValDecimal" ProbeTable.valDecimal decimalGen Probe.ValDecimal RDecimal
          1, fused "ValIntAt" ProbeTable.valIntAt anyInt64 (fun v p f -> Probe.ValIntAt(v, p, f)) RInt
          1, fused "ValUIntAt" ProbeTable.valUIntAt anyInt64 (fun v p f -> Probe.ValUIntAt(uint64 v, p, f)) (uint64 >> RUInt)
          1, fused "ValDoubleAt" ProbeTable.valDoubleAt double (fun v p f -> Probe.ValDoubleAt(v, p, f)) RDouble
          1, fused "ValSingleAt" ProbeTable.valSingleAt single (fun v p f -> Probe.ValSingleAt(v, p, f)) RSingle
          1, fused "ValBoolAt" ProbeTable.valBoolAt (Gen.elements [ true; false ]) (fun v p f -> Probe.ValBoolAt(v, p, f)) RBool
          1, fused "ValCharAt" ProbeTable.valCharAt chr (fun v p f -> Probe.ValCharAt(v, p, f)) RChar
          1, fused "ValStringAt" ProbeTable.valStringAt str (fun v p f -> Probe.ValStringAt(Option.toObj v, p, f)) ofString
          4, boxed |> Gen.map (fun v -> call "ValObject" ProbeTable.valObject (fun _ -> Probe.ValObject v.Object) [ RValue v.Value ])
          1, boxed |> Gen.map (fun v -> call "ValObjectIn" ProbeTable.valObjectIn (fun _ -> Probe.ValObjectIn(v.Object, 0)) [ RValue v.Value ])
          2,
          Gen.zip boxed position
          |> Gen.map (fun (v, p) ->
              call "ValObjectAt" ProbeTable.valObjectAt
                  (fun f -> Probe.ValObjectAt(v.Object, p, Interlocked.Increment &nextPlace, 0, f))
                  [ RAt p; RValue v.Value ])
          1, Gen.constant (call "ValRedacted" ProbeTable.valRedacted (fun _ -> Probe.ValRedacted()) [ RValue RRedacted ])
          1, Gen.constant (call "ValDropped" ProbeTable.valDropped (fun _ -> Probe.ValDropped()) [ RValue RDropped ])
          1,
          Gen.zip (Gen.elements [ 0uy; 2uy ]) (text |> Gen.filter (fun s -> s <> ""))
          |> Gen.map (fun (stream, s) ->
              // Stdout (0) or stderr (2); the text is never cut.
              { Name = "Write"; Probe = None; Run = (fun _ -> (console stream).Write s); Expected = [ RWrite(stream, s) ] }) ]

/// A recorded call: Enter, the calls, then Return or an exception's Unwind.
type Recorded = { MethodId: int; Calls: Call list; Unwinds: string option }

let recorded : Gen<Recorded> =
    gen {
        let! id = Gen.choose (0, Int32.MaxValue)
        let! calls = Gen.sized (fun size -> Gen.choose (0, min size 30) |> Gen.bind (fun n -> Gen.listOfLength n callGen))
        let! unwinds = Gen.frequency [ 4, Gen.constant None; 1, text |> Gen.map Some ]
        return { MethodId = id; Calls = calls; Unwinds = unwinds }
    }

/// Every call of the recording: Enter, the calls, the end.
let calls (r: Recorded) : Call list =
    let enter = { Name = "Enter"; Probe = Some ProbeTable.enter; Run = (fun cell -> cell.Frame <- Probe.Enter r.MethodId); Expected = [ REnter r.MethodId ] }
    let ending =
        match r.Unwinds with
        | None -> call "Return" ProbeTable.ret (fun f -> Probe.Return f) [ RReturn ]
        | Some message ->
            // The thread's first throw (the first-chance handler is the startup hook's: called here by hand).
            call "Unwind" ProbeTable.unwind
                (fun f ->
                    Throws.Thrown(InvalidOperationException message)
                    Probe.Unwind f)
                [ RUnwind(1, "System.InvalidOperationException: " + message) ]
    enter :: r.Calls @ [ ending ]

// ---------------------------------------------------------------------------
// Running them: on a fresh thread (its own buffer and type ids, as in a recorded program).

/// Room for every generated recording: the buffer never spills (which would drop its bytes).
let private capacity = 16 <<< 20

/// Off the raw log a thread's buffer is an array (the runtime's first is 64 KiB and drops its
/// bytes when full): one of this size from now on. A private method of the runtime: a test
/// must not grow the hot path.
let private useArray (b: ThreadBuffer) (size: int) =
    typeof<ThreadBuffer>.GetMethod("UseArray", BindingFlags.NonPublic ||| BindingFlags.Instance).Invoke(b, [| box size |]) |> ignore

/// Runs the recording's calls on a new thread; returns the bytes each call wrote.
let write (r: Recorded) : byte[] list =
    let mutable result = Error "not run"
    let run () =
        let b = ThreadBuffer.Current
        try
            try
                useArray b capacity
                let spills = b.Spills
                let cell = { Frame = null }
                let parts =
                    [ for c in calls r ->
                          let start = b.Position
                          c.Run cell
                          b.Since(start).ToArray() ]
                if b.Spills <> spills then failwith "the buffer spilled"
                result <- Ok parts
            with e -> result <- Error(string e)
        finally
            // The log keeps every thread's buffer: give the large array back.
            useArray b 1
    // Probes write only while recording is on (the startup hook turns it on).
    Probe.On <- true
    let thread = Thread(run)
    thread.Start()
    thread.Join()
    match result with
    | Ok parts -> parts
    | Error e -> failwith e
