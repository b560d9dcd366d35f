namespace Tandem.Http.Tests.Support;

/// <summary>Valid requests of every shape the parser accepts, heads and bodies: the seeds of the split and mutation tests.</summary>
internal static class Corpus
{
    internal static readonly string[] ValidRequests =
    [
        "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\nCookie: a=1; b=2\r\n\r\n",
        "POST /api/items?id=7&x=%20y HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"name\":\"a\"}\n",
        "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: yes\r\n\r\n",
        "GET http://example.com:81/abs?q=1 HTTP/1.1\r\nHost: example.com:81\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        "GET /old HTTP/1.0\r\n\r\n",
        "HEAD /k HTTP/1.0\r\nConnection: Keep-Alive\r\nX-Empty:\r\nX-Spaces: \t a  b \t\r\n\r\n",
        "\r\nDELETE /r/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
        "PROPFIND /dav/ HTTP/1.1\r\nhost: x\r\ndepth: 1\r\ncontent-length: 4\r\n\r\n<a/>",
        "GET /caf\u00C3\u00A9 HTTP/1.1\r\nHost: x\r\nX-Latin: \u00E9\u00FF\u0001\r\n\r\n",
    ];

    /// <summary>Every valid request, one after another, as a client pipelining them on one connection.</summary>
    internal static string Pipelined => string.Concat(ValidRequests);
}
