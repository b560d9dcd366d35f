using System.Text;

namespace Tandem.Http;

/// <summary>
/// One header line of a <see cref="HttpRequestHead"/>, as spans of the head's buffer: valid while the head is (until the
/// parser's next <see cref="HttpRequestParser.ParseHead"/>). The value is trimmed of optional whitespace at both ends.
/// </summary>
public readonly ref struct RequestHeader
{
    internal RequestHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, KnownHeader known)
    {
        Name = name;
        Value = value;
        Known = known;
    }

    /// <summary>The name as it was sent (a token: ASCII).</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The value, without the optional whitespace around it; it holds no CR, LF or NUL.</summary>
    public ReadOnlySpan<byte> Value { get; }

    /// <summary>The name recognised, or <see cref="KnownHeader.Other"/>.</summary>
    public KnownHeader Known { get; }

    /// <summary>
    /// The name as a string: a known header's canonical name (<c>Content-Length</c>, whatever case was sent; no allocation),
    /// any other name as sent.
    /// </summary>
    /// <returns>The name.</returns>
    public string GetNameString() => Known != KnownHeader.Other ? KnownHeaders.Name(Known) : Encoding.ASCII.GetString(Name);

    /// <summary>The value as a string, one character per byte (Latin-1, so that no byte is lost). Allocates.</summary>
    /// <returns>The value.</returns>
    public string GetValueString() => Encoding.Latin1.GetString(Value);
}
