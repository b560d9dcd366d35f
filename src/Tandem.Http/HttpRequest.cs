using System.Text;
using Tandem.Http.Internal;

namespace Tandem.Http;

/// <summary>The request a handler serves: its head as parsed, and its body on demand.</summary>
public sealed class HttpRequest
{
    private readonly HttpConnection _connection;

    internal HttpRequest(HttpConnection connection) => _connection = connection;

    /// <summary>The parsed head: method, target, version, headers, framing — as bytes, without allocating.</summary>
    public HttpRequestHead Head => _connection.Head;

    /// <summary>The method ("GET", "POST", …).</summary>
    public string Method => Head.GetMethodString();

    /// <summary>The path, decoded as UTF-8 (percent-escapes kept). Allocates: <see cref="HttpRequestHead.Path"/> does not.</summary>
    public string Path => Head.GetPathString();

    /// <summary>The query, with its '?' (empty when there is none), not decoded. Allocates.</summary>
    public string QueryString => Head.GetQueryString();

    /// <summary>The value of query parameter <paramref name="name"/> (the first one, percent-decoded), or null.</summary>
    public string? GetQuery(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var query = Head.Query;
        if (!query.IsEmpty && query[0] == (byte)'?') query = query[1..];
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            int eq = pair.IndexOf((byte)'=');
            var key = eq < 0 ? pair : pair[..eq];
            if (Encoding.UTF8.GetString(key) != name) continue;
            return Uri.UnescapeDataString(eq < 0 ? "" : Encoding.UTF8.GetString(pair[(eq + 1)..]).Replace('+', ' '));
        }
        return null;
    }

    /// <summary>The value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? GetHeader(string name) => Head.GetHeaderString(name);

    /// <summary>The declared body length, or null (no body, or a chunked one).</summary>
    public long? ContentLength => Head.ContentLength;

    /// <summary>
    /// Reads the whole body (answering <c>Expect: 100-continue</c> first when the client asked): empty when there is
    /// none. The memory is the connection's and valid until the handler returns. Reading it twice returns it again.
    /// </summary>
    /// <exception cref="HttpBodyException">The body was malformed or larger than the limit; the connection will close
    /// after the response (the server answers 400 or 413 unless the handler answers otherwise).</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync() => _connection.ReadBodyAsync();
}
