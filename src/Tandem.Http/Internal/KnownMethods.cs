namespace Tandem.Http.Internal;

/// <summary>Recognises the <see cref="RequestMethod"/> names (case-sensitively, as methods are) and names them without allocating.</summary>
internal static class KnownMethods
{
    /// <summary>The method <paramref name="token"/> names, or <see cref="RequestMethod.Other"/>.</summary>
    internal static RequestMethod Recognise(ReadOnlySpan<byte> token) => token.Length switch
    {
        3 when token.SequenceEqual("GET"u8) => RequestMethod.Get,
        3 when token.SequenceEqual("PUT"u8) => RequestMethod.Put,
        4 when token.SequenceEqual("POST"u8) => RequestMethod.Post,
        4 when token.SequenceEqual("HEAD"u8) => RequestMethod.Head,
        5 when token.SequenceEqual("PATCH"u8) => RequestMethod.Patch,
        5 when token.SequenceEqual("TRACE"u8) => RequestMethod.Trace,
        6 when token.SequenceEqual("DELETE"u8) => RequestMethod.Delete,
        7 when token.SequenceEqual("OPTIONS"u8) => RequestMethod.Options,
        7 when token.SequenceEqual("CONNECT"u8) => RequestMethod.Connect,
        _ => RequestMethod.Other,
    };

    /// <summary>The name of a known <paramref name="method"/>, a constant; null for <see cref="RequestMethod.Other"/>.</summary>
    internal static string? Name(RequestMethod method) => method switch
    {
        RequestMethod.Get => "GET",
        RequestMethod.Head => "HEAD",
        RequestMethod.Post => "POST",
        RequestMethod.Put => "PUT",
        RequestMethod.Delete => "DELETE",
        RequestMethod.Connect => "CONNECT",
        RequestMethod.Options => "OPTIONS",
        RequestMethod.Trace => "TRACE",
        RequestMethod.Patch => "PATCH",
        _ => null,
    };
}
