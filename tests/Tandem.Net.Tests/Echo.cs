using System.Net;
using System.Text;

namespace Tandem.Net.Tests;

/// <summary>Helpers shared by the TCP tests: an echo handler and a client round trip.</summary>
internal static class Echo
{
    /// <summary>Bounds every wait of these tests: a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Echoes until the client finishes sending.</summary>
    public static async TandemTask Handler(TcpConnection connection)
    {
        var buffer = new byte[4096];
        int n;
        while ((n = await connection.ReceiveAsync(buffer)) > 0) await connection.SendAsync(buffer.AsMemory(0, n));
    }

    /// <summary>Connects, sends <paramref name="text"/>, finishes sending, and returns all that comes back.</summary>
    public static async Task<string> RoundTrip(IPEndPoint endPoint, string text)
    {
        using var client = await TcpConnection.ConnectAsync(endPoint);
        await client.SendAsync(Encoding.UTF8.GetBytes(text));
        client.ShutdownSend();
        return await ReadToEnd(client);
    }

    /// <summary>Reads until the peer finishes sending.</summary>
    public static async Task<string> ReadToEnd(TcpConnection client)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await client.ReceiveAsync(buffer)) > 0) received.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
