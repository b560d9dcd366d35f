namespace Tandem.Internal.Diagnostics;

/// <summary>
/// Whether anything in the process watches task scheduling: a runtime that records task times, or a session of the
/// <c>Tandem</c> event source. The hot paths read this one static flag first, so that when nothing watches (the usual
/// case) each watch point costs one load and one branch.
/// </summary>
/// <remarks>Set when a recording runtime is built or an event session starts, and never cleared back while the process
/// runs (a stale true only sends the hot paths to the per-task check, which is still correct). Written rarely, read
/// racily: a poll that misses a just-set flag is simply not watched.</remarks>
internal static class Watching
{
    /// <summary>True once anything may watch (see the remarks).</summary>
    internal static bool Active;

    /// <summary>Turns watching on for the rest of the process.</summary>
    internal static void Begin() => Volatile.Write(ref Active, true);
}
