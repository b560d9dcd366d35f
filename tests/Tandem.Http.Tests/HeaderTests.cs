using System.Text;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>Header lines: names, values and their whitespace, what is refused, lookup, and the 431 limits.</summary>
public class HeaderTests
{
    [Fact]
    public void Headers_are_kept_in_order_with_trimmed_values()
    {
        var head = ParseValid("GET / HTTP/1.1\r\nHost: example.com\r\nX-One:1\r\nx-two: \t two words \t \r\nEmpty:\r\nBlank:   \r\n\r\n");
        Assert.Equal(5, head.HeaderCount);
        string[] expected = ["Host=example.com", "X-One=1", "x-two=two words", "Empty=", "Blank="];
        for (int i = 0; i < expected.Length; i++)
        {
            var header = head.GetHeader(i);
            Assert.Equal(expected[i], $"{Encoding.ASCII.GetString(header.Name)}={header.GetValueString()}");
        }
    }

    [Fact]
    public void Known_names_are_recognised_in_any_case()
    {
        var head = ParseValid("GET / HTTP/1.1\r\nhOsT: x\r\ncontent-TYPE: text/plain\r\nUser-Agent: t\r\nX-Custom: c\r\n\r\n");
        Assert.Equal(KnownHeader.Host, head.GetHeader(0).Known);
        Assert.Equal(KnownHeader.ContentType, head.GetHeader(1).Known);
        Assert.Equal(KnownHeader.UserAgent, head.GetHeader(2).Known);
        Assert.Equal(KnownHeader.Other, head.GetHeader(3).Known);
        Assert.Same("Content-Type", head.GetHeader(1).GetNameString()); // a known name is a constant
        Assert.Equal("X-Custom", head.GetHeader(3).GetNameString());
    }

    [Fact]
    public void Every_known_header_is_recognised_by_its_canonical_name()
    {
        foreach (var header in Enum.GetValues<KnownHeader>().Where(h => h != KnownHeader.Other))
        {
            string name = KnownHeaders.Name(header);
            Assert.Equal(header, KnownHeaders.Recognise(Encoding.ASCII.GetBytes(name)));
            Assert.Equal(header, KnownHeaders.Recognise(Encoding.ASCII.GetBytes(name.ToUpperInvariant())));
            Assert.Equal(KnownHeader.Other, KnownHeaders.Recognise(Encoding.ASCII.GetBytes(name + "x")));
        }
        Assert.Equal(KnownHeader.Other, KnownHeaders.Recognise([]));
    }

    [Fact]
    public void Headers_are_found_by_known_name_by_bytes_and_by_string()
    {
        var head = ParseValid("GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nX-Dup: first\r\nx-dup: second\r\n\r\n");
        Assert.True(head.TryGetHeader(KnownHeader.Accept, out var accept));
        Assert.Equal("a"u8, accept);
        Assert.False(head.TryGetHeader(KnownHeader.Cookie, out _));
        Assert.False(head.TryGetHeader(KnownHeader.Other, out _));
        Assert.True(head.TryGetHeader("X-DUP"u8, out var dup));
        Assert.Equal("first"u8, dup); // the first line wins
        Assert.False(head.TryGetHeader("X-Missing"u8, out _));
        Assert.Equal("second", head.GetHeader(3).GetValueString());
        Assert.Equal("first", head.GetHeaderString("x-Dup"));
        Assert.Null(head.GetHeaderString("X-Missing"));
        Assert.Equal("x"u8, head.Host);
    }

    [Fact]
    public void Values_keep_obs_text_tabs_and_other_controls()
    {
        var head = ParseValid("GET / HTTP/1.1\r\nHost: x\r\nX: a\tb\u0001c\u00E9\u00FF\r\n\r\n");
        Assert.Equal("a\tb\u0001c\u00E9\u00FF", head.GetHeader(1).GetValueString());
    }

    [Theory]
    [InlineData("X: a\u0000b\r\n")]   // NUL
    [InlineData("X: a\nb\r\n")]       // LF inside a value
    [InlineData("X: a\rb\r\n")]       // CR inside a value
    [InlineData("X: a\n")]            // a bare LF ends nothing
    [InlineData("X: a\r\r\n")]
    public void Values_with_cr_lf_or_nul_are_400(string line) => AssertStatus(400, $"GET / HTTP/1.1\r\nHost: x\r\n{line}\r\n");

    [Theory]
    [InlineData("X : a\r\n")]         // whitespace before the colon (RFC 9112 §5.1)
    [InlineData("X\t: a\r\n")]
    [InlineData(": a\r\n")]           // no name
    [InlineData("X(Y: a\r\n")]        // a separator in the name
    [InlineData("X Y: a\r\n")]
    [InlineData("X\u00E9: a\r\n")]
    [InlineData("X\r\n")]             // no colon
    [InlineData("X\u0000: a\r\n")]
    [InlineData("@: a\r\n")]
    public void Invalid_names_are_400(string line) => AssertStatus(400, $"GET / HTTP/1.1\r\nHost: x\r\n{line}\r\n");

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n")]   // obs-fold with a space
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n")]  // and with a tab
    [InlineData("GET / HTTP/1.1\r\n Host: x\r\n\r\n")]                // whitespace before the first header
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n \r\n")]               // a line of whitespace
    public void Line_folding_and_leading_whitespace_are_400(string request)
    {
        AssertStatus(400, request);
        Assert.Equal(RequestErrors.ObsoleteLineFolding, ParseError(request));
    }

    [Fact]
    public void The_head_ends_only_with_crlf_crlf()
    {
        AssertStatus(400, "GET / HTTP/1.1\r\nHost: x\r\n\n");
        AssertStatus(400, "GET / HTTP/1.1\r\nHost: x\r\n\rX");
        AssertIncomplete("GET / HTTP/1.1\r\nHost: x\r\n\r");
        AssertIncomplete("GET / HTTP/1.1\r\nHost: x\r\nX-Long: abc");
        AssertIncomplete("GET / HTTP/1.1\r\nHost: x\r\nX-Lo");
    }

    [Fact]
    public void The_header_count_limit_answers_431()
    {
        string Request(int count) =>
            "GET / HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(1, count - 1).Select(i => $"X-{i}: {i}\r\n")) + "\r\n";
        Assert.Equal(100, ParseValid(Request(100)).HeaderCount);
        AssertStatus(431, Request(101));
        Assert.Equal(RequestErrors.TooManyHeaders, ParseError(Request(101)));

        var limits = new HttpLimits { MaxRequestHeaderCount = 3 };
        Assert.Equal(3, ParseValid(Request(3), limits).HeaderCount);
        AssertStatus(431, Request(4), limits);
    }

    [Fact]
    public void The_header_block_limit_counts_every_line_and_the_empty_one_and_answers_431()
    {
        var limits = new HttpLimits { MaxRequestHeadersTotalSize = 64 };
        const string HostLine = "Host: x\r\n"; // 9 bytes, + 2 for the empty line: 11
        string exact = "X: " + new string('v', 64 - 11 - "X: \r\n".Length) + "\r\n";
        ParseValid($"GET / HTTP/1.1\r\n{HostLine}{exact}\r\n", limits);
        AssertStatus(431, $"GET / HTTP/1.1\r\n{HostLine}X{exact}\r\n", limits);
        string value = new('v', 48);
        AssertStatus(431, $"GET / HTTP/1.1\r\n{HostLine}X: {value} \r\n\r\n", limits); // trimmed whitespace counts
        AssertStatus(431, $"GET / HTTP/1.1\r\n{HostLine}X: {value}vvvv\u0000", limits); // the limit is crossed before the NUL is judged
        AssertStatus(400, $"GET / HTTP/1.1\r\n{HostLine}X: {value}vvv\u0000", limits);  // and not a byte earlier
        Assert.Equal(RequestErrors.HeadersTooLarge, ParseError($"GET / HTTP/1.1\r\n{HostLine}X{exact}\r\n", limits));
    }

    [Fact]
    public void The_default_header_block_limit_is_32_KiB()
    {
        string Request(int valueLength) => $"GET / HTTP/1.1\r\nHost: x\r\nCookie: {new string('c', valueLength)}\r\n\r\n";
        int exact = 32 * 1024 - "Host: x\r\nCookie: \r\n\r\n".Length;
        ParseValid(Request(exact));
        AssertStatus(431, Request(exact + 1));
    }

    [Fact]
    public void A_head_is_read_only_when_complete()
    {
        var parser = new HttpRequestParser();
        Assert.Throws<InvalidOperationException>(() => parser.Head.Method);
        parser.ParseHead(new(Bytes("GET / HTTP/1.1\r\nHost: x\r\n")), out _);
        Assert.Throws<InvalidOperationException>(() => parser.Head.HeaderCount);
        parser.ParseHead(new(Bytes("\r\n")), out _);
        Assert.Equal(1, parser.Head.HeaderCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => parser.Head.GetHeader(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => parser.Head.GetHeader(-1));
    }
}
