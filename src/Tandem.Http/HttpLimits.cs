namespace Tandem.Http;

/// <summary>
/// The limits a request must stay within, with Kestrel's defaults. Each value is validated when it is set, with an error
/// that names the limit and its range; an instance is immutable once built, so one is shared by every connection
/// (derive another with <c>with { … }</c>).
/// </summary>
/// <remarks>
/// What each limit answers when it is exceeded: the request line, <b>414</b>; the header block or the header count,
/// <b>431</b>; the body, <b>413</b> — checked against <c>Content-Length</c> when the head is parsed and against each chunk
/// size of a chunked body as it arrives. A chunked body's trailers count against the header limits again.
/// </remarks>
public sealed record HttpLimits
{
    /// <summary>The default <see cref="MaxRequestLineSize"/>: 8 KiB.</summary>
    public const int DefaultMaxRequestLineSize = 8 * 1024;

    /// <summary>The default <see cref="MaxRequestHeadersTotalSize"/>: 32 KiB.</summary>
    public const int DefaultMaxRequestHeadersTotalSize = 32 * 1024;

    /// <summary>The default <see cref="MaxRequestHeaderCount"/>: 100.</summary>
    public const int DefaultMaxRequestHeaderCount = 100;

    /// <summary>The default <see cref="MaxRequestBodySize"/>: 30,000,000 bytes (about 28.6 MiB), as Kestrel's.</summary>
    public const long DefaultMaxRequestBodySize = 30_000_000;

    // The smallest request line is "M * HTTP/1.1\r\n" (14 bytes); the upper bounds keep the per-connection buffer,
    // which holds a whole head, within reason.
    private const int MinRequestLineSize = 14, MaxRequestLineSizeBound = 1024 * 1024;
    private const int MinHeadersTotalSize = 2, MaxHeadersTotalSizeBound = 16 * 1024 * 1024;
    private const int MaxHeaderCountBound = 65_536;

    /// <summary>The defaults, shared.</summary>
    public static HttpLimits Default { get; } = new();

    /// <summary>
    /// The longest request line, in bytes, counting its CRLF and any empty lines before it (14 to 1,048,576;
    /// default 8,192). A longer one is answered 414.
    /// </summary>
    public int MaxRequestLineSize
    {
        get;
        init => field = InRange(value, MinRequestLineSize, MaxRequestLineSizeBound, nameof(MaxRequestLineSize));
    } = DefaultMaxRequestLineSize;

    /// <summary>
    /// The largest header block, in bytes: every header line with its CRLF, and the empty line that ends the head
    /// (2 to 16,777,216; default 32,768). A larger one is answered 431.
    /// </summary>
    public int MaxRequestHeadersTotalSize
    {
        get;
        init => field = InRange(value, MinHeadersTotalSize, MaxHeadersTotalSizeBound, nameof(MaxRequestHeadersTotalSize));
    } = DefaultMaxRequestHeadersTotalSize;

    /// <summary>The most header lines in a head (1 to 65,536; default 100). More are answered 431.</summary>
    public int MaxRequestHeaderCount
    {
        get;
        init => field = InRange(value, 1, MaxHeaderCountBound, nameof(MaxRequestHeaderCount));
    } = DefaultMaxRequestHeaderCount;

    /// <summary>
    /// The largest body, in bytes (0 to <see cref="long.MaxValue"/>, which means no limit; default 30,000,000). A larger
    /// one is answered 413.
    /// </summary>
    public long MaxRequestBodySize
    {
        get;
        init => field = InRange(value, 0, long.MaxValue, nameof(MaxRequestBodySize));
    } = DefaultMaxRequestBodySize;

    private static T InRange<T>(T value, T min, T max, string name) where T : struct, IComparable<T>, IFormattable
    {
        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} must be between {min.ToString("N0", null)} and {max.ToString("N0", null)}.");
        return value;
    }
}
