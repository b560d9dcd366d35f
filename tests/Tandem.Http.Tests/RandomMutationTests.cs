using CsCheck;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>
/// Valid requests with bytes flipped, inserted and deleted at random (CsCheck, bounded in count): the parser and the
/// decoder never throw and never stall, every refusal is a 4xx or 5xx with a reason, and a random split of the mutated
/// bytes reads the same as the whole.
/// </summary>
public class RandomMutationTests
{
    private const int Iterations = 10_000;

    /// <summary>The bytes that matter most to the parser, drawn more often than the others.</summary>
    private static readonly byte[] Interesting = Bytes("\r\n \t:;,/?*#%\"\0\u007F\u00FF0aAfF9-chunked");

    private enum Edit { Flip, Insert, Delete, Replace }

    private static readonly Gen<byte> AnyByte = Gen.Frequency((3, Gen.Byte), (2, Gen.Int[0, Interesting.Length - 1].Select(i => Interesting[i])));

    private static readonly Gen<(Edit Edit, double Where, byte Byte, int Bit)> OneEdit =
        Gen.Select(Gen.Enum<Edit>(), Gen.Double[0, 1], AnyByte, Gen.Int[0, 7]);

    private static readonly Gen<byte[]> Mutated =
        Gen.Select(Gen.Int[0, Corpus.ValidRequests.Length], OneEdit.Array[1, 6], (index, edits) =>
        {
            var bytes = new List<byte>(Bytes(index == Corpus.ValidRequests.Length ? Corpus.Pipelined : Corpus.ValidRequests[index]));
            foreach (var (edit, where, value, bit) in edits)
            {
                int at = Math.Min((int)(where * bytes.Count), bytes.Count - 1);
                switch (edit)
                {
                    case Edit.Flip: bytes[at] ^= (byte)(1 << bit); break;
                    case Edit.Insert: bytes.Insert(at, value); break;
                    case Edit.Delete when bytes.Count > 1: bytes.RemoveAt(at); break;
                    default: bytes[at] = value; break;
                }
            }
            return bytes.ToArray();
        });

    /// <summary>The defaults three times in four; otherwise limits small enough for the corpus to cross them anywhere.</summary>
    private static readonly Gen<HttpLimits?> Limits = Gen.Frequency(
        (3, Gen.Const(() => (HttpLimits?)null)),
        (1, Gen.Select(Gen.Int[14, 120], Gen.Int[2, 400], Gen.Int[1, 12], Gen.Long[0, 40], (line, headers, count, body) =>
            (HttpLimits?)new HttpLimits
            {
                MaxRequestLineSize = line,
                MaxRequestHeadersTotalSize = headers,
                MaxRequestHeaderCount = count,
                MaxRequestBodySize = body,
            })));

    [Fact]
    public void Mutated_requests_parse_or_are_refused_with_a_status_and_splits_agree()
    {
        int refused = 0, accepted = 0;
        Gen.Select(Mutated, Limits, Gen.Double[0, 1], Gen.Double[0, 1]).Sample((bytes, limits, first, second) =>
        {
            string whole = Transcript.OfWhole(bytes, limits); // Transcript asserts progress and that every byte was taken
            var errors = whole.Split('\n').Where(line => line.Contains("error ")).ToList();
            foreach (string line in errors)
            {
                int status = int.Parse(line.Split(' ').SkipWhile(word => word != "error").ElementAt(1));
                Assert.InRange(status, 400, 599);
            }
            if (errors.Count > 0) refused++;
            else accepted++;
            int i = (int)(first * bytes.Length), j = Math.Max(i, (int)(second * bytes.Length));
            Assert.Equal(whole, Transcript.OfReads(Segments.Split(bytes, i, j), limits));
            Assert.Equal(whole, Transcript.OfSegments(Segments.Split(bytes, i, j), limits));
        }, iter: Iterations, threads: 1);
        // The mutations are neither all harmless nor all fatal: both paths were exercised.
        Assert.True(refused > Iterations / 10 && accepted > Iterations / 10, $"{refused} refused, {accepted} accepted");
    }

    [Fact]
    public void Random_bytes_never_throw_or_stall()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var parser = new HttpRequestParser();
            var decoder = new ChunkedBodyDecoder();
            var buffer = new System.Buffers.ReadOnlySequence<byte>(bytes);
            for (int calls = 0; ; calls++)
            {
                Assert.True(calls <= bytes.Length + 1, "the parser made no progress");
                var status = parser.ParseHead(buffer, out var consumed);
                if (status != HeadParseStatus.Complete)
                {
                    if (status == HeadParseStatus.Error) Assert.InRange(parser.Error.StatusCode, 400, 599);
                    break;
                }
                buffer = buffer.Slice(consumed);
            }
            // The same bytes as a chunked body.
            buffer = new System.Buffers.ReadOnlySequence<byte>(bytes);
            for (int calls = 0; ; calls++)
            {
                Assert.True(calls <= bytes.Length + 1, "the decoder made no progress");
                var status = decoder.Decode(buffer, out _, out var consumed);
                buffer = buffer.Slice(consumed);
                if (status == ChunkedBodyStatus.Data) continue;
                if (status == ChunkedBodyStatus.Error) Assert.InRange(decoder.Error.StatusCode, 400, 599);
                break;
            }
        }, iter: Iterations, threads: 1);
    }
}
