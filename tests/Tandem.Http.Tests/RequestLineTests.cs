using System.Text;
using static Tandem.Http.Tests.Support.Requests;

namespace Tandem.Http.Tests;

/// <summary>The request line: method, request target in its four forms, version, line endings and the 414 limit.</summary>
public class RequestLineTests
{
    [Theory]
    [InlineData("GET", RequestMethod.Get)]
    [InlineData("HEAD", RequestMethod.Head)]
    [InlineData("POST", RequestMethod.Post)]
    [InlineData("PUT", RequestMethod.Put)]
    [InlineData("DELETE", RequestMethod.Delete)]
    [InlineData("OPTIONS", RequestMethod.Options)]
    [InlineData("TRACE", RequestMethod.Trace)]
    [InlineData("PATCH", RequestMethod.Patch)]
    [InlineData("PROPFIND", RequestMethod.Other)]
    [InlineData("get", RequestMethod.Other)] // methods are case-sensitive
    [InlineData("GETS", RequestMethod.Other)]
    [InlineData("M-SEARCH", RequestMethod.Other)]
    [InlineData("!#$%&'*+-.^_`|~", RequestMethod.Other)] // every tchar that is not a letter or digit
    public void Methods_are_recognised_and_kept_as_bytes(string method, RequestMethod expected)
    {
        var head = ParseValid($"{method} / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(expected, head.Method);
        Assert.Equal(method, Encoding.ASCII.GetString(head.MethodBytes));
        Assert.Equal(method, head.GetMethodString());
    }

    [Fact]
    public void Connect_takes_an_authority()
    {
        var head = ParseValid("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        Assert.Equal(RequestMethod.Connect, head.Method);
        Assert.Equal(RequestTargetForm.Authority, head.TargetForm);
        Assert.Equal("example.com:443", Encoding.ASCII.GetString(head.Authority));
        Assert.True(head.Path.IsEmpty);
    }

    [Fact]
    public void Known_method_names_are_constants()
    {
        var head = ParseValid("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Same("GET", head.GetMethodString());
    }

    [Theory]
    [InlineData("GE(T / HTTP/1.1\r\n")]       // a separator in the method
    [InlineData("GET\t/ HTTP/1.1\r\n")]        // a tab instead of the space
    [InlineData(" GET / HTTP/1.1\r\n")]        // whitespace before the method
    [InlineData("/ HTTP/1.1\r\n")]             // no method
    [InlineData("GET\r\n")]                    // nothing but a method
    [InlineData("GET\u0000 / HTTP/1.1\r\n")]
    [InlineData("G\u00C9T / HTTP/1.1\r\n")]      // non-ASCII
    [InlineData("\nGET / HTTP/1.1\r\n")]       // a bare LF as an empty line
    public void An_invalid_method_is_400(string requestLine) => AssertStatus(400, requestLine + "Host: x\r\n\r\n");

    [Theory]
    [InlineData("/", "/", "")]
    [InlineData("/plaintext", "/plaintext", "")]
    [InlineData("/a/b?c=d&e=f", "/a/b", "?c=d&e=f")]
    [InlineData("/a?b?c", "/a", "?b?c")]
    [InlineData("/?", "/", "?")]
    [InlineData("/%20x;p=1@:+$,!'()*~", "/%20x;p=1@:+$,!'()*~", "")]
    [InlineData("/{a}|b^c`d\"e<f>\\", "/{a}|b^c`d\"e<f>\\", "")] // not URI characters, tolerated as Kestrel tolerates them
    public void Origin_form_is_split_into_path_and_query(string target, string path, string query)
    {
        var head = ParseValid($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(RequestTargetForm.Origin, head.TargetForm);
        Assert.Equal(target, head.GetTargetString());
        Assert.Equal(path, head.GetPathString());
        Assert.Equal(query, head.GetQueryString());
        Assert.True(head.Authority.IsEmpty);
    }

    [Fact]
    public void Non_ascii_target_bytes_are_kept_and_read_as_utf8()
    {
        var head = ParseValid("GET /caf\u00C3\u00A9?q=\u00C3\u00A9 HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal("/café", head.GetPathString());
        Assert.Equal("?q=é", head.GetQueryString());
    }

    [Theory]
    [InlineData("http://example.com/a?b", "example.com", "/a", "?b")]
    [InlineData("http://example.com:8080/", "example.com:8080", "/", "")]
    [InlineData("HTTPS://[::1]:443/x/y", "[::1]:443", "/x/y", "")]
    [InlineData("http://example.com", "example.com", "/", "")]       // no path: "/"
    [InlineData("http://example.com?q", "example.com", "/", "?q")]
    public void Absolute_form_is_tolerated(string target, string authority, string path, string query)
    {
        var head = ParseValid($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(RequestTargetForm.Absolute, head.TargetForm);
        Assert.Equal(target, head.GetTargetString());
        Assert.Equal(authority, Encoding.ASCII.GetString(head.Authority));
        Assert.Equal(path, head.GetPathString());
        Assert.Equal(query, head.GetQueryString());
    }

    [Fact]
    public void Asterisk_form_is_for_options()
    {
        var head = ParseValid("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(RequestTargetForm.Asterisk, head.TargetForm);
        Assert.Equal("*", head.GetTargetString());
        Assert.True(head.Path.IsEmpty);
    }

    [Theory]
    [InlineData("GET * HTTP/1.1")]                 // * is only for OPTIONS
    [InlineData("GET example.com:80 HTTP/1.1")]    // authority-form is only for CONNECT
    [InlineData("CONNECT / HTTP/1.1")]             // and CONNECT takes nothing else
    [InlineData("CONNECT user@host:1 HTTP/1.1")]
    [InlineData("GET ftp://example.com/ HTTP/1.1")]
    [InlineData("GET http:///x HTTP/1.1")]         // no authority
    [InlineData("GET http://user@example.com/ HTTP/1.1")]
    [InlineData("GET http//example.com/ HTTP/1.1")]
    [InlineData("GET a/b HTTP/1.1")]
    [InlineData("GET /a#frag HTTP/1.1")]           // a fragment is never sent
    [InlineData("GET /a\u0001b HTTP/1.1")]
    [InlineData("GET /a\u007Fb HTTP/1.1")]
    [InlineData("GET /a\u0000b HTTP/1.1")]
    [InlineData("GET  / HTTP/1.1")]                // two spaces: an empty target
    [InlineData("GET /\tHTTP/1.1")]
    [InlineData("GET /")]                          // HTTP/0.9 style: no version
    [InlineData("GET / a HTTP/1.1")]               // a space inside the target (the version is then invalid)
    public void An_invalid_target_is_400(string requestLine) => AssertStatus(400, requestLine + "\r\nHost: x\r\n\r\n");

    [Theory]
    [InlineData("HTTP/1.1", RequestVersion.Http11)]
    [InlineData("HTTP/1.0", RequestVersion.Http10)]
    public void Versions_1_0_and_1_1_are_accepted(string version, RequestVersion expected) =>
        Assert.Equal(expected, ParseValid($"GET / {version}\r\nHost: x\r\n\r\n").Version);

    [Theory]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/0.9")]
    [InlineData("HTTP/3.0")]
    [InlineData("HTTP/9.9")]
    public void Other_versions_are_505(string version) => AssertStatus(505, $"GET / {version}\r\nHost: x\r\n\r\n");

    [Theory]
    [InlineData("http/1.1")]
    [InlineData("HTTP/11")]
    [InlineData("HTTP/1.")]
    [InlineData("HTTP/1.1.1")]
    [InlineData("HTTP/1.1 ")]
    [InlineData("HTTP/a.b")]
    [InlineData("HTTPS/1.1")]
    [InlineData("FOO")]
    [InlineData("")]
    [InlineData("HTTP/1.1\u0000")]
    public void A_malformed_version_is_400(string version) => AssertStatus(400, $"GET / {version}\r\nHost: x\r\n\r\n");

    [Theory]
    [InlineData("GET / HTTP/1.1\nHost: x\r\n\r\n")]     // a bare LF ends nothing
    [InlineData("GET / HTTP/1.1\rHost: x\r\n\r\n")]     // a bare CR
    [InlineData("GET / HTTP/1.1\r\r\nHost: x\r\n\r\n")]
    [InlineData("\r\rGET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    public void Request_line_endings_are_crlf(string request) => AssertStatus(400, request);

    [Fact]
    public void Empty_lines_before_the_request_line_are_skipped()
    {
        var head = ParseValid("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.Equal(RequestMethod.Get, head.Method);
    }

    [Fact]
    public void An_unfinished_request_line_needs_more_data()
    {
        AssertIncomplete("");
        AssertIncomplete("\r\n");
        AssertIncomplete("G");
        AssertIncomplete("GET /pa");
        AssertIncomplete("GET / HTTP/1.");
        AssertIncomplete("GET / HTTP/1.1\r");
        AssertIncomplete("GET / HTTP/1.1\r\n");
    }

    [Fact]
    public void The_request_line_limit_counts_the_whole_line_and_answers_414()
    {
        var limits = new HttpLimits { MaxRequestLineSize = 64 };
        const string Fixed = "GET  HTTP/1.1\r\n"; // 15 bytes around the target
        string exact = "/" + new string('a', 64 - Fixed.Length - 1);
        ParseValid($"GET {exact} HTTP/1.1\r\nHost: x\r\n\r\n", limits);
        AssertStatus(414, $"GET {exact}a HTTP/1.1\r\nHost: x\r\n\r\n", limits);
        AssertStatus(414, new string('A', 65) + " / HTTP/1.1\r\n", limits);     // a long method counts as well
        AssertStatus(414, string.Concat(Enumerable.Repeat("\r\n", 20)) + $"GET {exact} HTTP/1.1\r\n\r\n", limits); // empty lines count
    }

    [Fact]
    public void The_default_request_line_limit_is_8_KiB()
    {
        string target = "/" + new string('a', 8192 - "GET  HTTP/1.1\r\n".Length - 1);
        ParseValid($"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        AssertStatus(414, $"GET {target}a HTTP/1.1\r\nHost: x\r\n\r\n");
    }
}
