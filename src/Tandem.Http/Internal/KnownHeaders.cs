using System.Text;

namespace Tandem.Http.Internal;

/// <summary>
/// Recognises the <see cref="KnownHeader"/> names without allocating: the candidates are grouped by length, so a name is
/// compared (ASCII, case-insensitively) with at most a handful of others, and an unknown length costs one bounds check.
/// </summary>
internal static class KnownHeaders
{
    private static readonly (KnownHeader Header, string Name)[] Table =
    [
        (KnownHeader.Host, "Host"),
        (KnownHeader.ContentLength, "Content-Length"),
        (KnownHeader.TransferEncoding, "Transfer-Encoding"),
        (KnownHeader.Connection, "Connection"),
        (KnownHeader.Expect, "Expect"),
        (KnownHeader.Accept, "Accept"),
        (KnownHeader.AcceptCharset, "Accept-Charset"),
        (KnownHeader.AcceptEncoding, "Accept-Encoding"),
        (KnownHeader.AcceptLanguage, "Accept-Language"),
        (KnownHeader.Authorization, "Authorization"),
        (KnownHeader.CacheControl, "Cache-Control"),
        (KnownHeader.ContentEncoding, "Content-Encoding"),
        (KnownHeader.ContentType, "Content-Type"),
        (KnownHeader.Cookie, "Cookie"),
        (KnownHeader.Date, "Date"),
        (KnownHeader.Forwarded, "Forwarded"),
        (KnownHeader.IfMatch, "If-Match"),
        (KnownHeader.IfModifiedSince, "If-Modified-Since"),
        (KnownHeader.IfNoneMatch, "If-None-Match"),
        (KnownHeader.IfRange, "If-Range"),
        (KnownHeader.IfUnmodifiedSince, "If-Unmodified-Since"),
        (KnownHeader.KeepAlive, "Keep-Alive"),
        (KnownHeader.Origin, "Origin"),
        (KnownHeader.Pragma, "Pragma"),
        (KnownHeader.Range, "Range"),
        (KnownHeader.Referer, "Referer"),
        (KnownHeader.TE, "TE"),
        (KnownHeader.Trailer, "Trailer"),
        (KnownHeader.Upgrade, "Upgrade"),
        (KnownHeader.UpgradeInsecureRequests, "Upgrade-Insecure-Requests"),
        (KnownHeader.UserAgent, "User-Agent"),
        (KnownHeader.Via, "Via"),
        (KnownHeader.XForwardedFor, "X-Forwarded-For"),
        (KnownHeader.XForwardedHost, "X-Forwarded-Host"),
        (KnownHeader.XForwardedProto, "X-Forwarded-Proto"),
        (KnownHeader.XRequestedWith, "X-Requested-With"),
    ];

    /// <summary>The canonical names, indexed by <see cref="KnownHeader"/>: a known name costs no string.</summary>
    private static readonly string[] Names = BuildNames();

    /// <summary>The names as ASCII bytes, indexed by <see cref="KnownHeader"/>.</summary>
    private static readonly byte[][] NameBytes = BuildNameBytes();

    /// <summary>The candidates for each name length; lengths beyond the longest name are not in it.</summary>
    private static readonly KnownHeader[][] ByLength = BuildByLength();

    /// <summary>The header <paramref name="name"/> names, or <see cref="KnownHeader.Other"/>.</summary>
    internal static KnownHeader Recognise(ReadOnlySpan<byte> name)
    {
        var byLength = ByLength;
        if ((uint)name.Length >= (uint)byLength.Length) return KnownHeader.Other;
        foreach (var candidate in byLength[name.Length])
            if (Ascii.EqualsIgnoreCase(name, NameBytes[(int)candidate])) return candidate;
        return KnownHeader.Other;
    }

    /// <summary>The canonical name of <paramref name="header"/> (<c>Content-Length</c>); empty for <see cref="KnownHeader.Other"/>.</summary>
    internal static string Name(KnownHeader header) => Names[(int)header];

    /// <summary>The canonical name of <paramref name="header"/> as ASCII bytes.</summary>
    internal static ReadOnlySpan<byte> NameAsBytes(KnownHeader header) => NameBytes[(int)header];

    private static string[] BuildNames()
    {
        var names = new string[Table.Length + 1];
        names[(int)KnownHeader.Other] = "";
        foreach (var (header, name) in Table) names[(int)header] = name;
        return names;
    }

    private static byte[][] BuildNameBytes()
    {
        var bytes = new byte[Table.Length + 1][];
        bytes[(int)KnownHeader.Other] = [];
        foreach (var (header, name) in Table) bytes[(int)header] = Encoding.ASCII.GetBytes(name);
        return bytes;
    }

    private static KnownHeader[][] BuildByLength()
    {
        int longest = Table.Max(entry => entry.Name.Length);
        var byLength = new KnownHeader[longest + 1][];
        for (int length = 0; length <= longest; length++)
            byLength[length] = [.. Table.Where(entry => entry.Name.Length == length).Select(entry => entry.Header)];
        return byLength;
    }
}
