using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>
/// What the head means for the body and the connection: Host, Content-Length, Transfer-Encoding (and the smuggling rules),
/// keep-alive, Expect: 100-continue; the body limit against Content-Length; the validation of <see cref="HttpLimits"/>.
/// </summary>
public class FramingAndLimitsTests
{
    private static string Get(string headers, string version = "HTTP/1.1") => $"GET / {version}\r\n{headers}\r\n";

    [Fact]
    public void Http11_needs_exactly_one_valid_host()
    {
        AssertStatus(400, Get(""));
        AssertStatus(400, Get("X: y\r\n"));
        AssertStatus(400, Get("Host: a\r\nHost: a\r\n"));
        AssertStatus(400, Get("Host: a\r\nhost: b\r\n"));
        Assert.Equal(RequestErrors.MissingHost, ParseError(Get("")));
        Assert.Equal(RequestErrors.DuplicateHost, ParseError(Get("Host: a\r\nHost: a\r\n")));
        ParseValid(Get("Host:\r\n"));                      // empty: allowed when the target has no authority
        ParseValid(Get("Host: [::1]:8080\r\n"));
        ParseValid(Get("Host: xn--bcher-kva.example:80\r\n"));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("user@host")]
    [InlineData("host?")]
    [InlineData("h\u00E9st")]
    public void An_invalid_host_is_400(string host)
    {
        AssertStatus(400, Get($"Host: {host}\r\n"));
        Assert.Equal(RequestErrors.InvalidHost, ParseError(Get($"Host: {host}\r\n")));
    }

    [Fact]
    public void Http10_needs_no_host_but_takes_at_most_one()
    {
        var head = ParseValid(Get("", "HTTP/1.0"));
        Assert.True(head.Host.IsEmpty);
        AssertStatus(400, Get("Host: a\r\nHost: b\r\n", "HTTP/1.0"));
    }

    [Theory]
    [InlineData("Content-Length: 10\r\n", 10)]
    [InlineData("Content-Length: 0\r\n", 0)]
    [InlineData("Content-Length: 007\r\n", 7)]
    [InlineData("Content-Length:  12 \r\n", 12)]
    [InlineData("Content-Length: 5, 5\r\n", 5)]             // identical values are one (RFC 9110 §8.6)
    [InlineData("Content-Length: 5\r\nContent-Length: 5\r\n", 5)]
    [InlineData("content-length: 30000000\r\n", 30_000_000)] // exactly the default body limit
    public void Content_length_frames_the_body(string headers, long length)
    {
        var head = ParseValid(Get("Host: x\r\n" + headers));
        Assert.Equal(RequestBodyFraming.ContentLength, head.BodyFraming);
        Assert.Equal(length, head.ContentLength);
        Assert.Equal(length > 0, head.HasBody);
    }

    [Fact]
    public void No_length_and_no_coding_is_no_body()
    {
        var head = ParseValid(Get("Host: x\r\n"));
        Assert.Equal(RequestBodyFraming.None, head.BodyFraming);
        Assert.Null(head.ContentLength);
        Assert.False(head.HasBody);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.0")]
    [InlineData("0x10")]
    [InlineData("1 2")]
    [InlineData("")]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("5,,5")]
    [InlineData("9223372036854775808")]   // long.MaxValue + 1
    [InlineData("99999999999999999999999")]
    [InlineData("\u0661")]                 // not an ASCII digit
    public void An_invalid_content_length_is_400(string value)
    {
        AssertStatus(400, Get($"Host: x\r\nContent-Length: {value}\r\n"));
        Assert.Equal(RequestErrors.InvalidContentLength, ParseError(Get($"Host: x\r\nContent-Length: {value}\r\n")));
    }

    [Theory]
    [InlineData("Content-Length: 5, 6\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 5, 50\r\n")]
    public void Different_content_lengths_are_400(string headers)
    {
        AssertStatus(400, Get("Host: x\r\n" + headers));
        Assert.Equal(RequestErrors.ConflictingContentLength, ParseError(Get("Host: x\r\n" + headers)));
    }

    [Fact]
    public void A_content_length_over_the_body_limit_is_413_up_front()
    {
        AssertStatus(413, Get("Host: x\r\nContent-Length: 30000001\r\n"));
        AssertStatus(413, Get("Host: x\r\nContent-Length: 9223372036854775807\r\n"));
        var limits = new HttpLimits { MaxRequestBodySize = 10 };
        ParseValid(Get("Host: x\r\nContent-Length: 10\r\n"), limits);
        AssertStatus(413, Get("Host: x\r\nContent-Length: 11\r\n"), limits);
        var none = new HttpLimits { MaxRequestBodySize = long.MaxValue };
        Assert.Equal(long.MaxValue, ParseValid(Get("Host: x\r\nContent-Length: 9223372036854775807\r\n"), none).ContentLength);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: CHUNKED\r\n")]
    [InlineData("transfer-encoding:chunked \r\n")]
    [InlineData("Transfer-Encoding: , chunked ,\r\n")] // empty list elements are ignored
    public void Chunked_frames_the_body(string headers)
    {
        var head = ParseValid(Get("Host: x\r\n" + headers));
        Assert.Equal(RequestBodyFraming.Chunked, head.BodyFraming);
        Assert.Null(head.ContentLength);
        Assert.True(head.HasBody);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n")]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Content-Length: 0\r\nTransfer-Encoding: gzip\r\n")]
    public void Transfer_encoding_with_content_length_is_400(string headers)
    {
        AssertStatus(400, Get("Host: x\r\n" + headers));
        Assert.Equal(RequestErrors.ContentLengthWithTransferEncoding, ParseError(Get("Host: x\r\n" + headers)));
    }

    [Theory]
    [InlineData("chunked, gzip")]
    [InlineData("chunked, chunked")]
    [InlineData("chunked\r\nTransfer-Encoding: gzip")]
    [InlineData("chunked\r\nTransfer-Encoding: chunked")]
    public void Chunked_not_last_is_400(string value)
    {
        AssertStatus(400, Get($"Host: x\r\nTransfer-Encoding: {value}\r\n"));
        Assert.Equal(RequestErrors.ChunkedNotLast, ParseError(Get($"Host: x\r\nTransfer-Encoding: {value}\r\n")));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("identity")]
    [InlineData("foo")]
    [InlineData("gzip, chunked")]
    [InlineData("gzip\r\nTransfer-Encoding: chunked")]
    [InlineData("x;q=1, chunked")]
    public void Unknown_codings_are_501(string value)
    {
        AssertStatus(501, Get($"Host: x\r\nTransfer-Encoding: {value}\r\n"));
        Assert.Equal(RequestErrors.UnsupportedTransferCoding, ParseError(Get($"Host: x\r\nTransfer-Encoding: {value}\r\n")));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" , ")]
    [InlineData("chu nked")]
    [InlineData("chunked;x=1")]   // chunked takes no parameters
    [InlineData("\"chunked\"")]
    [InlineData(";chunked")]
    public void A_malformed_transfer_encoding_is_400(string value) => AssertStatus(400, Get($"Host: x\r\nTransfer-Encoding: {value}\r\n"));

    [Fact]
    public void Transfer_encoding_in_http10_is_400()
    {
        AssertStatus(400, Get("Transfer-Encoding: chunked\r\n", "HTTP/1.0"));
        Assert.Equal(RequestErrors.TransferEncodingInHttp10, ParseError(Get("Transfer-Encoding: chunked\r\n", "HTTP/1.0")));
    }

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: CLOSE\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.1", "Connection: keep-alive, close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: upgrade\r\nConnection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: closed\r\n", true)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: Keep-Alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: foo, keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: keep-alive, close\r\n", false)]
    public void Keep_alive_follows_the_version_and_connection_options(string version, string headers, bool keepAlive) =>
        Assert.Equal(keepAlive, ParseValid(Get("Host: x\r\n" + headers, version)).KeepAlive);

    [Theory]
    [InlineData("HTTP/1.1", "Expect: 100-continue\r\n", true)]
    [InlineData("HTTP/1.1", "expect: 100-Continue\r\n", true)]
    [InlineData("HTTP/1.1", "Expect: 100-continue, foo\r\n", true)]
    [InlineData("HTTP/1.1", "Expect: foo\r\n", false)]  // other expectations are ignored
    [InlineData("HTTP/1.1", "", false)]
    [InlineData("HTTP/1.0", "Expect: 100-continue\r\n", false)] // ignored in HTTP/1.0 (RFC 9110 §10.1.1)
    public void Expect_100_continue_is_detected(string version, string headers, bool expected) =>
        Assert.Equal(expected, ParseValid(Get("Host: x\r\nContent-Length: 1\r\n" + headers, version)).ExpectContinue);

    [Fact]
    public void Limits_have_kestrels_defaults()
    {
        var limits = HttpLimits.Default;
        Assert.Equal(8192, limits.MaxRequestLineSize);
        Assert.Equal(32768, limits.MaxRequestHeadersTotalSize);
        Assert.Equal(100, limits.MaxRequestHeaderCount);
        Assert.Equal(30_000_000, limits.MaxRequestBodySize);
        Assert.Equal(limits, new HttpLimits());
        Assert.Same(limits, new HttpRequestParser().Limits);
    }

    [Theory]
    [InlineData(nameof(HttpLimits.MaxRequestLineSize), 13L, "14 and 1,048,576")]
    [InlineData(nameof(HttpLimits.MaxRequestLineSize), (long)(1024 * 1024 + 1), "14 and 1,048,576")]
    [InlineData(nameof(HttpLimits.MaxRequestHeadersTotalSize), 1L, "2 and 16,777,216")]
    [InlineData(nameof(HttpLimits.MaxRequestHeadersTotalSize), -5L, "2 and 16,777,216")]
    [InlineData(nameof(HttpLimits.MaxRequestHeaderCount), 0L, "1 and 65,536")]
    [InlineData(nameof(HttpLimits.MaxRequestHeaderCount), 65_537L, "1 and 65,536")]
    [InlineData(nameof(HttpLimits.MaxRequestBodySize), -1L, "0 and 9,223,372,036,854,775,807")]
    public void Limits_out_of_range_name_the_limit_and_its_range(string name, long value, string range)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => name switch
        {
            nameof(HttpLimits.MaxRequestLineSize) => HttpLimits.Default with { MaxRequestLineSize = (int)value },
            nameof(HttpLimits.MaxRequestHeadersTotalSize) => new HttpLimits { MaxRequestHeadersTotalSize = (int)value },
            nameof(HttpLimits.MaxRequestHeaderCount) => new HttpLimits { MaxRequestHeaderCount = (int)value },
            _ => new HttpLimits { MaxRequestBodySize = value },
        });
        Assert.Equal(name, error.ParamName);
        Assert.Contains(range, error.Message);
    }

    [Fact]
    public void Limits_in_range_are_kept()
    {
        var limits = HttpLimits.Default with { MaxRequestLineSize = 14, MaxRequestHeaderCount = 65_536, MaxRequestBodySize = 0 };
        Assert.Equal(14, limits.MaxRequestLineSize);
        Assert.Equal(65_536, limits.MaxRequestHeaderCount);
        Assert.Equal(0, limits.MaxRequestBodySize);
        Assert.Equal(8192, HttpLimits.Default.MaxRequestLineSize); // the shared defaults are untouched
        ParseValid("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", limits with { MaxRequestLineSize = 20 }); // 20 bytes exactly
    }
}
