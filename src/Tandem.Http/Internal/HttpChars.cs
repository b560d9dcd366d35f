using System.Buffers;

namespace Tandem.Http.Internal;

/// <summary>The byte classes of RFC 9110 and RFC 9112 that the parsers test, as vectorised sets.</summary>
internal static class HttpChars
{
    internal const byte CR = (byte)'\r', LF = (byte)'\n', SP = (byte)' ', HTAB = (byte)'\t', NUL = 0;

    /// <summary><c>tchar</c>: the bytes of a token (a method, a header name, a transfer coding).</summary>
    internal static readonly SearchValues<byte> Token =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// The bytes that end or break a request target: controls, space, DEL and <c>#</c> (a fragment is never sent).
    /// Everything else is kept as it came, non-ASCII bytes included, as Kestrel does.
    /// </summary>
    internal static readonly SearchValues<byte> NotInTarget =
        SearchValues.Create([.. Enumerable.Range(0, 0x21).Select(b => (byte)b), (byte)'#', 0x7F]);

    /// <summary>
    /// The bytes that end or break a field value: CR, LF and NUL (RFC 9110 §5.5 requires their rejection; other controls
    /// may be kept, and are).
    /// </summary>
    internal static readonly SearchValues<byte> NotInValue = SearchValues.Create("\r\n\0"u8);

    /// <summary>Optional whitespace: space and horizontal tab.</summary>
    internal static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t"u8);

    /// <summary>
    /// The bytes of a host and port (<c>Host</c>, an authority): unreserved, sub-delims, <c>:</c>, <c>%</c> and the
    /// brackets of an IP literal. No <c>@</c>: user information is refused (RFC 9110 §4.2.4).
    /// </summary>
    internal static readonly SearchValues<byte> Host =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:%[]"u8);

    internal static bool IsToken(byte b) => Token.Contains(b);

    internal static bool IsWhitespace(byte b) => b is SP or HTAB;

    /// <summary>True when <paramref name="host"/> has only the bytes of a host and port (it may be empty).</summary>
    internal static bool IsValidHost(ReadOnlySpan<byte> host) => !host.ContainsAnyExcept(Host);

    /// <summary><paramref name="span"/> without the optional whitespace at either end.</summary>
    internal static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> span)
    {
        int start = span.IndexOfAnyExcept(Whitespace);
        if (start < 0) return [];
        int end = span.LastIndexOfAnyExcept(Whitespace);
        return span[start..(end + 1)];
    }
}
