namespace Tandem.Http;

/// <summary>The form of a request target (RFC 9112 §3.2).</summary>
public enum RequestTargetForm
{
    /// <summary>A path and an optional query: <c>/where?q=1</c>. The usual form.</summary>
    Origin,

    /// <summary>A whole <c>http</c> or <c>https</c> URI, as sent to proxies: <c>http://host/where?q=1</c>. Tolerated: the path and query are read from it.</summary>
    Absolute,

    /// <summary>A host and port, for CONNECT only: <c>host:443</c>. There is no path.</summary>
    Authority,

    /// <summary>The server as a whole, for OPTIONS only: <c>*</c>. There is no path.</summary>
    Asterisk,
}
