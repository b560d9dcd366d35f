using System.Net;

namespace Tandem.Net;

/// <summary>How a <see cref="TcpServer"/> listens and runs its connections.</summary>
public sealed class TcpServerOptions
{
    private int _backlog = 512;
    private int _maxConnections = 10_000;

    /// <summary>The address and port to listen on (default: IPv4 loopback, a port the system picks — read it back from
    /// <see cref="TcpServer.LocalEndPoint"/>). <see cref="IPAddress.IPv6Any"/> accepts IPv4 and IPv6 clients.</summary>
    public IPEndPoint EndPoint { get; set; } = new(IPAddress.Loopback, 0);

    /// <summary>Connections the system queues before they are accepted (1 to 65,535; default 512).</summary>
    public int Backlog
    {
        get => _backlog;
        set => _backlog = value is >= 1 and <= 65_535 ? value
            : throw new ArgumentOutOfRangeException(nameof(Backlog), value, "The backlog is between 1 and 65,535.");
    }

    /// <summary>Connections served at once (1 to 1,000,000; default 10,000). At the limit the server stops accepting
    /// until a connection ends: further clients wait in the system's backlog.</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value is >= 1 and <= 1_000_000 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxConnections), value, "The connection limit is between 1 and 1,000,000.");
    }

    /// <summary>The priority of the accept loop's task (default <see cref="Priority.High"/>: new clients are taken in
    /// even while ordinary work saturates the workers).</summary>
    public Priority AcceptPriority { get; set; } = Priority.High;

    /// <summary>The priority of each connection's task (default <see cref="Priority.Normal"/>), unless
    /// <see cref="SelectPriority"/> chooses one per connection.</summary>
    public Priority ConnectionPriority { get; set; } = Priority.Normal;

    /// <summary>Chooses a connection's priority from the client's address (for example, Critical for a monitoring
    /// host); null: <see cref="ConnectionPriority"/> for all.</summary>
    public Func<IPEndPoint, Priority>? SelectPriority { get; set; }

    /// <summary>Disables Nagle's algorithm on accepted connections (default true: small responses leave at once).</summary>
    public bool NoDelay { get; set; } = true;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint, nameof(EndPoint));
        if (!Enum.IsDefined(AcceptPriority)) throw new ArgumentOutOfRangeException(nameof(AcceptPriority), AcceptPriority, "A priority is Critical, High, Normal, Low or Idle.");
        if (!Enum.IsDefined(ConnectionPriority)) throw new ArgumentOutOfRangeException(nameof(ConnectionPriority), ConnectionPriority, "A priority is Critical, High, Normal, Low or Idle.");
    }
}
