namespace Tandem.Internal.Diagnostics;

/// <summary>
/// Where the counters that wrap around (task generations, body and box versions, wait tokens) start. In Debug builds
/// they start a little before their wrap-around, so that every test run crosses it: a comparison that is not
/// wrap-aware fails in the tests instead of weeks into a server's life. Release builds start at zero.
/// </summary>
internal static class WrapTesting
{
#if DEBUG
    /// <summary>Uses of an object before its 32-bit counters wrap, in Debug builds.</summary>
    private const int UsesBeforeWrap = 200;

    internal const int IntStart = int.MaxValue - UsesBeforeWrap;
    internal const short ShortStart = short.MaxValue - UsesBeforeWrap;
#else
    internal const int IntStart = 0;
    internal const short ShortStart = 0;
#endif
}
