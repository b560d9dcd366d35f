namespace Tandem.Http;

/// <summary>
/// Why a request was refused: the status code to answer with and a short reason. The reasons are constant strings, so
/// an error costs no allocation; the connection is closed after answering, as the bytes after a malformed request
/// cannot be framed.
/// </summary>
public readonly struct HttpRequestError : IEquatable<HttpRequestError>
{
    private readonly string? _reason; // null only in the default value
    internal HttpRequestError(int statusCode, string reason)
    {
        StatusCode = statusCode;
        _reason = reason;
    }

    /// <summary>The status code to answer with: 400, 413, 414, 431, 501 or 505.</summary>
    public int StatusCode { get; }

    /// <summary>A short reason in English, for a log or the response body (never the request's own bytes).</summary>
    public string Reason => _reason ?? "";

    /// <summary>True for the default value, which is no error.</summary>
    internal bool IsNone => StatusCode == 0;

    /// <inheritdoc/>
    public bool Equals(HttpRequestError other) => StatusCode == other.StatusCode && Reason == other.Reason;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is HttpRequestError other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StatusCode, Reason);

    /// <summary>The status code and the reason, as <c>400 invalid character in method</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{StatusCode} {Reason}";

    /// <summary>True when both carry the same status code and reason.</summary>
    /// <param name="left">One error.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(HttpRequestError left, HttpRequestError right) => left.Equals(right);

    /// <summary>True when they differ in status code or reason.</summary>
    /// <param name="left">One error.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(HttpRequestError left, HttpRequestError right) => !left.Equals(right);
}
