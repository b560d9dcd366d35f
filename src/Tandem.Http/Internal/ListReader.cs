namespace Tandem.Http.Internal;

/// <summary>
/// Reads the elements of a comma-separated header value (RFC 9110 §5.6.1), each trimmed of optional whitespace. A list of
/// n commas has n + 1 elements, empty ones included, so each header decides what an empty element means.
/// </summary>
internal ref struct ListReader(ReadOnlySpan<byte> list)
{
    private ReadOnlySpan<byte> _rest = list;
    private bool _done;

    /// <summary>The next element, or false after the last.</summary>
    internal bool TryNext(out ReadOnlySpan<byte> element)
    {
        if (_done)
        {
            element = default;
            return false;
        }
        int comma = _rest.IndexOf((byte)',');
        if (comma < 0)
        {
            element = HttpChars.TrimWhitespace(_rest);
            _done = true;
        }
        else
        {
            element = HttpChars.TrimWhitespace(_rest[..comma]);
            _rest = _rest[(comma + 1)..];
        }
        return true;
    }
}
