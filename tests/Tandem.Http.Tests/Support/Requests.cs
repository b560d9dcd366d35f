using System.Buffers;
using System.Text;

namespace Tandem.Http.Tests.Support;

/// <summary>Parses single heads for the tests that look at one request.</summary>
internal static class Requests
{
    /// <summary>The request as bytes (Latin-1: one byte per character, so any byte can be written as <c>\xNN</c>).</summary>
    internal static byte[] Bytes(string request) => Encoding.Latin1.GetBytes(request);

    /// <summary>Parses <paramref name="request"/> whole and asserts the head is complete; the parser holds it.</summary>
    internal static HttpRequestHead ParseValid(string request, HttpLimits? limits = null) => ParseValid(Bytes(request), limits);

    internal static HttpRequestHead ParseValid(byte[] request, HttpLimits? limits = null)
    {
        var parser = new HttpRequestParser(limits);
        var status = parser.ParseHead(new ReadOnlySequence<byte>(request), out _);
        Assert.True(status == HeadParseStatus.Complete, $"expected a complete head, got {status} {parser.Error}");
        return parser.Head;
    }

    /// <summary>Parses <paramref name="request"/> whole and returns the error it must end in.</summary>
    internal static HttpRequestError ParseError(string request, HttpLimits? limits = null) => ParseError(Bytes(request), limits);

    internal static HttpRequestError ParseError(byte[] request, HttpLimits? limits = null)
    {
        var parser = new HttpRequestParser(limits);
        var status = parser.ParseHead(new ReadOnlySequence<byte>(request), out _);
        Assert.True(status == HeadParseStatus.Error, $"expected an error, got {status}");
        Assert.NotEqual(0, parser.Error.StatusCode);
        return parser.Error;
    }

    /// <summary>Asserts <paramref name="request"/> is refused with <paramref name="statusCode"/>, and the same when fed one byte at a time.</summary>
    internal static void AssertStatus(int statusCode, string request, HttpLimits? limits = null)
    {
        var bytes = Bytes(request);
        var error = ParseError(bytes, limits);
        Assert.True(statusCode == error.StatusCode, $"expected {statusCode}, got {error}");
        var parser = new HttpRequestParser(limits);
        var status = HeadParseStatus.NeedMoreData;
        for (int i = 0; i < bytes.Length && status == HeadParseStatus.NeedMoreData; i++)
            status = parser.ParseHead(new ReadOnlySequence<byte>(bytes, i, 1), out _);
        Assert.Equal(HeadParseStatus.Error, status);
        Assert.Equal(error, parser.Error);
    }

    /// <summary>Asserts <paramref name="request"/> needs more data: every byte was valid so far.</summary>
    internal static void AssertIncomplete(string request, HttpLimits? limits = null)
    {
        var parser = new HttpRequestParser(limits);
        var buffer = new ReadOnlySequence<byte>(Bytes(request));
        Assert.Equal(HeadParseStatus.NeedMoreData, parser.ParseHead(buffer, out var consumed));
        Assert.True(buffer.Slice(consumed).IsEmpty);
    }
}
