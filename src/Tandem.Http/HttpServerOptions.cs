using System.Net;

namespace Tandem.Http;

/// <summary>How an <see cref="HttpServer"/> listens, parses and times out.</summary>
public sealed class HttpServerOptions
{
    private int _maxConnections = 10_000;
    private TimeSpan _headersTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _keepAliveTimeout = TimeSpan.FromSeconds(130);

    /// <summary>The address and port to listen on (default: IPv4 loopback, a port the system picks).</summary>
    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>The parser's limits (request line, headers, body); Kestrel's defaults unless set.</summary>
    public HttpLimits Limits { get; set; } = HttpLimits.Default;

    /// <summary>Connections served at once (1 to 1,000,000; default 10,000).</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value is >= 1 and <= 1_000_000 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxConnections), value, "The connection limit is between 1 and 1,000,000.");
    }

    /// <summary>The priority at which connections read and parse requests (default <see cref="Priority.High"/>): a
    /// request is read before ordinary work runs, so that a Critical route is known to be one at once. Each route's
    /// handler runs at the route's own priority.</summary>
    public Priority ParsePriority { get; set; } = Priority.High;

    /// <summary>How long a client may take to send a request's head once it started it (default 30 s; more than zero).
    /// A connection that takes longer is closed.</summary>
    public TimeSpan HeadersTimeout
    {
        get => _headersTimeout;
        set => _headersTimeout = value > TimeSpan.Zero ? value
            : throw new ArgumentOutOfRangeException(nameof(HeadersTimeout), value, "The headers timeout is more than zero.");
    }

    /// <summary>How long an idle keep-alive connection is kept between requests (default 130 s; more than zero).</summary>
    public TimeSpan KeepAliveTimeout
    {
        get => _keepAliveTimeout;
        set => _keepAliveTimeout = value > TimeSpan.Zero ? value
            : throw new ArgumentOutOfRangeException(nameof(KeepAliveTimeout), value, "The keep-alive timeout is more than zero.");
    }

    /// <summary>The <c>Server</c> header's value (default "Tandem").</summary>
    public string ServerName { get; set; } = "Tandem";

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint, nameof(EndPoint));
        ArgumentNullException.ThrowIfNull(Limits, nameof(Limits));
        ArgumentException.ThrowIfNullOrWhiteSpace(ServerName, nameof(ServerName));
        if (!Enum.IsDefined(ParsePriority)) throw new ArgumentOutOfRangeException(nameof(ParsePriority), ParsePriority, "A priority is Critical, High, Normal, Low or Idle.");
    }
}
