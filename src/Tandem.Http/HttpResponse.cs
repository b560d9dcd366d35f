using System.Buffers;
using System.Text;
using Tandem.Http.Internal;

namespace Tandem.Http;

/// <summary>
/// The response a handler writes: a status, headers, and a body buffered until the handler returns — then sent with its
/// <c>Content-Length</c>, <c>Date</c> and <c>Server</c>. A handler that calls <see cref="FlushAsync"/> sends what it
/// has at once, and the rest of the body goes out chunked.
/// </summary>
public sealed class HttpResponse
{
    private readonly HttpConnection _connection;
    private int _statusCode = 200;
    internal readonly ArrayBufferWriter<byte> Body = new(1024);
    internal readonly List<(string Name, string Value)> Headers = [];

    internal HttpResponse(HttpConnection connection) => _connection = connection;

    /// <summary>The status code (100 to 999; default 200).</summary>
    /// <exception cref="InvalidOperationException">The response has started (see <see cref="HasStarted"/>).</exception>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            if (value is < 100 or > 999) throw new ArgumentOutOfRangeException(nameof(StatusCode), value, "A status code is between 100 and 999.");
            ThrowIfStarted();
            _statusCode = value;
        }
    }

    /// <summary>The <c>Content-Type</c> header's value, or null for none.</summary>
    public string? ContentType { get; set; }

    /// <summary>True once the head was sent (by <see cref="FlushAsync"/>): the status and headers cannot change.</summary>
    public bool HasStarted { get; internal set; }

    /// <summary>Adds a header (besides Content-Type, Content-Length, Date, Server, Connection and Transfer-Encoding,
    /// which the server writes).</summary>
    /// <exception cref="ArgumentException">The name is not a token, or the value holds CR, LF or NUL.</exception>
    public void AddHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        foreach (char c in name)
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c)) throw new ArgumentException($"'{name}' is not a header name (a token).", nameof(name));
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0) throw new ArgumentException("A header value holds no CR, LF or NUL.", nameof(value));
        ThrowIfStarted();
        Headers.Add((name, value));
    }

    /// <summary>Appends bytes to the body.</summary>
    public void Write(ReadOnlySpan<byte> data) => Body.Write(data);

    /// <summary>Appends text to the body, as UTF-8.</summary>
    public void Write(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        Body.Advance(Encoding.UTF8.GetBytes(text, Body.GetSpan(max)));
    }

    /// <summary>Sends the head (the first time: chunked, since the length is not known yet) and the body written so far.</summary>
    public ValueTask FlushAsync() => _connection.FlushResponseAsync();

    internal void Reset()
    {
        _statusCode = 200;
        ContentType = null;
        HasStarted = false;
        Body.ResetWrittenCount();
        Headers.Clear();
    }

    private void ThrowIfStarted()
    {
        if (HasStarted) throw new InvalidOperationException("The response has started (it was flushed): its status and headers are sent.");
    }
}
