namespace Tandem.Http.Internal;

/// <summary>The status line of each status code the server writes ("HTTP/1.1 200 OK\r\n"), made once.</summary>
internal static class StatusReasons
{
    private static readonly Dictionary<int, byte[]> s_lines = new[]
    {
        (100, "Continue"), (200, "OK"), (201, "Created"), (202, "Accepted"), (204, "No Content"),
        (301, "Moved Permanently"), (302, "Found"), (304, "Not Modified"), (307, "Temporary Redirect"), (308, "Permanent Redirect"),
        (400, "Bad Request"), (401, "Unauthorized"), (403, "Forbidden"), (404, "Not Found"), (405, "Method Not Allowed"),
        (408, "Request Timeout"), (409, "Conflict"), (411, "Length Required"), (413, "Content Too Large"), (414, "URI Too Long"),
        (415, "Unsupported Media Type"), (417, "Expectation Failed"), (429, "Too Many Requests"), (431, "Request Header Fields Too Large"),
        (500, "Internal Server Error"), (501, "Not Implemented"), (502, "Bad Gateway"), (503, "Service Unavailable"),
        (504, "Gateway Timeout"), (505, "HTTP Version Not Supported"),
    }.ToDictionary(p => p.Item1, p => System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {p.Item1} {p.Item2}\r\n"));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> s_others = new();

    /// <summary>The status line of <paramref name="statusCode"/> (100 to 999).</summary>
    public static byte[] Line(int statusCode) =>
        s_lines.TryGetValue(statusCode, out var line) ? line
            : s_others.GetOrAdd(statusCode, static code => System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 {code} Status {code}\r\n"));
}
