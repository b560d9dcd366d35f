using System.Text;

namespace Tandem.Http.Internal;

/// <summary>
/// A request target taken apart (RFC 9112 §3.2): its form, and where its path, query and authority are in the head's
/// buffer. The bytes were already checked one by one as they came (no controls, spaces or <c>#</c>); what is checked
/// here is the shape, which the method decides in part: CONNECT takes only authority-form, and only OPTIONS takes <c>*</c>.
/// </summary>
internal readonly struct RequestTarget
{
    internal RequestTargetForm Form { get; private init; }
    internal ByteRange Whole { get; private init; }
    internal ByteRange Path { get; private init; }
    internal ByteRange Query { get; private init; }
    internal ByteRange Authority { get; private init; }

    /// <summary>Takes apart the target at <paramref name="whole"/> of <paramref name="buffer"/>; false when its shape is invalid.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> buffer, ByteRange whole, RequestMethod method, out RequestTarget target)
    {
        var bytes = buffer.Slice(whole.Start, whole.Length);
        target = default;
        if (bytes.IsEmpty) return false;
        if (method == RequestMethod.Connect)
        {
            if (!HttpChars.IsValidHost(bytes)) return false;
            target = new RequestTarget { Form = RequestTargetForm.Authority, Whole = whole, Authority = whole };
            return true;
        }
        if (bytes[0] == '/')
        {
            target = WithPathAndQuery(RequestTargetForm.Origin, whole, whole.Start, bytes, default);
            return true;
        }
        if (bytes.Length == 1 && bytes[0] == '*')
        {
            if (method != RequestMethod.Options) return false;
            target = new RequestTarget { Form = RequestTargetForm.Asterisk, Whole = whole };
            return true;
        }
        return TryParseAbsolute(whole, bytes, out target);
    }

    /// <summary><c>http://authority/path?query</c> (or https), tolerated as RFC 9112 §3.2.2 asks of servers. No user information.</summary>
    private static bool TryParseAbsolute(ByteRange whole, ReadOnlySpan<byte> bytes, out RequestTarget target)
    {
        target = default;
        int schemeEnd = bytes.IndexOf("://"u8);
        if (schemeEnd < 0) return false;
        var scheme = bytes[..schemeEnd];
        if (!Ascii.EqualsIgnoreCase(scheme, "http"u8) && !Ascii.EqualsIgnoreCase(scheme, "https"u8)) return false;
        int authorityStart = schemeEnd + 3;
        var rest = bytes[authorityStart..];
        int authorityLength = rest.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0) authorityLength = rest.Length;
        var authority = rest[..authorityLength];
        if (authority.IsEmpty || !HttpChars.IsValidHost(authority)) return false;
        int pathStart = authorityStart + authorityLength;
        target = WithPathAndQuery(RequestTargetForm.Absolute, whole, whole.Start + pathStart, bytes[pathStart..],
            new ByteRange(whole.Start + authorityStart, authorityLength));
        return true;
    }

    /// <summary>A target whose part from <paramref name="start"/> on (<paramref name="pathAndQuery"/>) is a path and an optional query.</summary>
    private static RequestTarget WithPathAndQuery(RequestTargetForm form, ByteRange whole, int start, ReadOnlySpan<byte> pathAndQuery, ByteRange authority)
    {
        int question = pathAndQuery.IndexOf((byte)'?');
        int pathLength = question < 0 ? pathAndQuery.Length : question;
        return new RequestTarget
        {
            Form = form,
            Whole = whole,
            Path = new ByteRange(start, pathLength),
            Query = new ByteRange(start + pathLength, pathAndQuery.Length - pathLength),
            Authority = authority,
        };
    }
}
