namespace Tandem.Internal.Tasks;

/// <summary>
/// What a thread is polling. One object behind one thread-static, so that a loop that polls many tasks looks the
/// thread-static up once (<see cref="PollSite.Capture()"/>) and then switches tasks by writing a field.
/// </summary>
internal sealed class PollingThread
{
    [ThreadStatic] private static PollingThread? t_current;

    /// <summary>The calling thread's, or null when it never polled a task.</summary>
    internal static PollingThread? OfCurrentThread => t_current;

    /// <summary>The calling thread's, made on first use.</summary>
    internal static PollingThread ForCurrentThread => t_current ??= new PollingThread();

    /// <summary>The task being polled on the thread, or null.</summary>
    internal TaskCore? Current;
}
