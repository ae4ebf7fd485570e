namespace CodeTracer.Runtime;

/// <summary>
/// The raw log's record tags. They mirror the rows of CodeTracer.Core's
/// record table (Probes/RecordTable.fs); a Shell test checks that both agree, and that
/// the runtime's writers lay each record out as the table says.
/// </summary>
public static class Tags
{
    public const byte Enter = 1;
    public const byte Step = 2;
    public const byte Return = 3;
    public const byte Write = 4;
    public const byte TypeDef = 5;
    public const byte Detach = 6;
    public const byte Fault = 7;
    public const byte Exit = 8;
    public const byte Unwind = 9;
    public const byte FieldsDef = 10;
    public const byte At = 11;

    public const byte Null = 16;
    public const byte Int = 17;
    public const byte UInt = 18;
    public const byte Double = 19;
    public const byte Single = 20;
    public const byte Bool = 21;
    public const byte Char = 22;
    public const byte String = 23;
    public const byte Decimal = 24;
    public const byte Sequence = 25;
    public const byte Raw = 26;
    public const byte Enum = 27;
    public const byte Boxed = 28;
    public const byte Struct = 29;
    public const byte Tuple = 30;
    public const byte Variant = 31;
    public const byte BigInt = 32;
    public const byte RawText = 33;
    public const byte Redacted = 34;
    public const byte Dropped = 35;
}
