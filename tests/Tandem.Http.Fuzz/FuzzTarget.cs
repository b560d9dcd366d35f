namespace Tandem.Http.Fuzz;

/// <summary>
/// What every input must keep, checked by throwing (a throw is a crash to the fuzzer): reading the input as a
/// connection — heads, Content-Length and chunked bodies, request after request — never throws out of the parser or the
/// decoder, never stalls, refuses only with a 4xx or 5xx status, and reads the same when the input arrives in two reads
/// split anywhere. The first byte of the input chooses the split, so the fuzzer explores splits as it explores bytes.
/// </summary>
internal static class FuzzTarget
{
    /// <summary>Checks <paramref name="input"/>; throws when a property fails.</summary>
    internal static void Run(ReadOnlySpan<byte> input) => Describe(input);

    /// <summary>Checks <paramref name="input"/> and returns what reading it gave.</summary>
    internal static string Describe(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return "end: empty input";
        var bytes = input[1..].ToArray();
        int split = input[0] * bytes.Length / 255;
        string whole = ConnectionReader.Read([bytes]);
        string twoReads = ConnectionReader.Read([bytes[..split], bytes[split..]]);
        if (whole != twoReads)
            throw new InvalidOperationException($"Splitting at {split} changed the result:\n{whole}\n---\n{twoReads}");
        return whole;
    }
}
