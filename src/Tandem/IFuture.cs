namespace Tandem;

/// <summary>
/// A poll-based future, for hand-written state machines.
/// The scheduler calls <see cref="Poll"/> when the task is first run and again each time the
/// waker of the last poll is signalled. It never calls it again after a ready result.
/// A future that also implements <see cref="IDisposable"/> is disposed when its task ends,
/// by completion or by abort.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public interface IFuture<T>
{
    /// <summary>Advances the future as far as it can without blocking.</summary>
    /// <param name="context">Carries the waker to signal when the future can make more progress.</param>
    /// <returns>Ready with the result, or pending after arranging for <see cref="PollContext.Waker"/> to be signalled.</returns>
    Poll<T> Poll(PollContext context);
}
