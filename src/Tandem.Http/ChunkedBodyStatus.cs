namespace Tandem.Http;

/// <summary>What <see cref="ChunkedBodyDecoder.Decode"/> found in the bytes it was given.</summary>
public enum ChunkedBodyStatus
{
    /// <summary>No body data yet and the body is not over: every byte given was taken; call again with the bytes that follow.</summary>
    NeedMoreData,

    /// <summary>Some body data, a slice of the bytes given (never empty); call again from the consumed position.</summary>
    Data,

    /// <summary>The body ended (last chunk and trailers read); the next request starts at the consumed position.</summary>
    Complete,

    /// <summary>The body is malformed or over a limit: answer with <see cref="ChunkedBodyDecoder.Error"/> and close the connection.</summary>
    Error,
}
