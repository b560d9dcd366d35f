namespace Tandem.Http;

/// <summary>
/// A request's method, when it is one of the methods of RFC 9110 or PATCH (RFC 5789). Methods are case-sensitive:
/// <c>get</c> is <see cref="Other"/>. The bytes of any method are in <see cref="HttpRequestHead.MethodBytes"/>.
/// </summary>
public enum RequestMethod
{
    /// <summary>A valid method token that is none of the others: read <see cref="HttpRequestHead.MethodBytes"/>.</summary>
    Other,

    /// <summary>GET.</summary>
    Get,

    /// <summary>HEAD.</summary>
    Head,

    /// <summary>POST.</summary>
    Post,

    /// <summary>PUT.</summary>
    Put,

    /// <summary>DELETE.</summary>
    Delete,

    /// <summary>CONNECT (its target is in authority-form).</summary>
    Connect,

    /// <summary>OPTIONS (the only method whose target may be <c>*</c>).</summary>
    Options,

    /// <summary>TRACE.</summary>
    Trace,

    /// <summary>PATCH.</summary>
    Patch,
}
