using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tandem.Http.Tests.Server;

/// <summary>A raw HTTP client over a socket, for conformance tests: sends exactly the bytes given, and reads responses
/// one by one (Content-Length, chunked, or to the end of the connection).</summary>
internal sealed class RawClient : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly Socket _socket = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly List<byte> _pending = [];

    public RawClient(IPEndPoint endPoint) => _socket.Connect(endPoint);

    public void Send(string text) => _socket.Send(Encoding.ASCII.GetBytes(text));

    public void Send(byte[] bytes) => _socket.Send(bytes);

    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>One response: status, headers (lower-case names), body.</summary>
    public sealed record Response(int Status, Dictionary<string, string> Headers, string Body, string Raw);

    /// <summary>Reads one response; <paramref name="toHead"/>: it answers a HEAD request (no body, whatever its headers say).</summary>
    public Task<Response> ReadAsync(bool toHead = false) => Task.Run(() => Read(toHead)).WaitAsync(Bound);

    /// <summary>True when the server closed the connection (after what was read).</summary>
    public Task<bool> IsClosedAsync() => Task.Run(() => Fill(1) == 0 && _pending.Count == 0).WaitAsync(Bound);

    private Response Read(bool toHead)
    {
        int headEnd;
        while ((headEnd = IndexOf("\r\n\r\n"u8)) < 0)
            if (Fill(1) == 0) throw new IOException($"closed before a response's head ended: '{Encoding.ASCII.GetString(_pending.ToArray())}'");
        string head = Encoding.ASCII.GetString(_pending.GetRange(0, headEnd).ToArray());
        _pending.RemoveRange(0, headEnd + 4);
        var lines = head.Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon].ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        string body;
        if (toHead || status is >= 100 and < 200 || status is 204 or 304) body = "";
        else if (headers.TryGetValue("content-length", out var length)) body = Take(int.Parse(length));
        else if (headers.TryGetValue("transfer-encoding", out var te) && te == "chunked")
        {
            var text = new StringBuilder();
            while (true)
            {
                string size = TakeLine();
                int n = Convert.ToInt32(size.Split(';')[0], 16);
                if (n == 0)
                {
                    while (TakeLine().Length > 0) { } // trailers
                    break;
                }
                text.Append(Take(n));
                TakeLine();
            }
            body = text.ToString();
        }
        else
        {
            while (Fill(4096) > 0) { }
            body = Take(_pending.Count);
        }
        return new Response(status, headers, body, head);
    }

    private string TakeLine()
    {
        int end;
        while ((end = IndexOf("\r\n"u8)) < 0)
            if (Fill(1) == 0) throw new IOException("closed inside a chunked body");
        var line = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray());
        _pending.RemoveRange(0, end + 2);
        return line;
    }

    private string Take(int n)
    {
        while (_pending.Count < n)
            if (Fill(n - _pending.Count) == 0) throw new IOException($"closed with {n - _pending.Count} body bytes missing");
        var text = Encoding.UTF8.GetString(_pending.GetRange(0, n).ToArray());
        _pending.RemoveRange(0, n);
        return text;
    }

    private int Fill(int atLeast)
    {
        var buffer = new byte[Math.Max(atLeast, 4096)];
        int n;
        try
        {
            n = _socket.Receive(buffer);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            return 0;
        }
        _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        return n;
    }

    private int IndexOf(ReadOnlySpan<byte> marker)
    {
        for (int i = 0; i + marker.Length <= _pending.Count; i++)
        {
            bool match = true;
            for (int j = 0; j < marker.Length && match; j++) match = _pending[i + j] == marker[j];
            if (match) return i;
        }
        return -1;
    }

    public void Dispose() => _socket.Dispose();
}
