namespace Tandem.Http;

/// <summary>What <see cref="HttpRequestParser.ParseHead"/> found in the bytes it was given.</summary>
public enum HeadParseStatus
{
    /// <summary>The head is not complete: every byte given was taken; call again with the bytes that follow.</summary>
    NeedMoreData,

    /// <summary>A whole head was parsed: read it from <see cref="HttpRequestParser.Head"/>; the body or the next request starts at the consumed position.</summary>
    Complete,

    /// <summary>The request is malformed or over a limit: answer with <see cref="HttpRequestParser.Error"/> and close the connection.</summary>
    Error,
}
