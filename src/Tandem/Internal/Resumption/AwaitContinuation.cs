namespace Tandem.Internal.Resumption;

/// <summary>
/// What a Tandem awaiter resumes: the box of a suspended Tandem async method, handed over by
/// <see cref="TandemTaskMethodBuilder{T}"/> through <see cref="ITandemAwaiter"/> so that no delegate is
/// needed, or the delegate any other builder passes to <c>OnCompleted</c>.
/// </summary>
/// <remarks>
/// Boxes are pooled and a parked task holds its box for as long as it waits; a delegate per box would cost
/// every idle task 64 bytes. The box's own delegate (<see cref="AsyncMethodBox.ResumeAction"/>) is made only when a
/// foreign awaiter (a <see cref="Task"/>, a socket) needs one.
/// </remarks>
internal readonly struct AwaitContinuation
{
    private readonly object _target; // a AsyncMethodBox or an Action

    private AwaitContinuation(object target) => _target = target;

    internal static AwaitContinuation Of(AsyncMethodBox box) => new(box);

    internal static AwaitContinuation Of(Action action) =>
        new(action ?? throw new ArgumentNullException(nameof(action)));

    /// <summary>The box, when the awaiting method is a Tandem one; null for a foreign builder's delegate.</summary>
    internal AsyncMethodBox? Box => _target as AsyncMethodBox;

    /// <summary>The continuation as a delegate, for awaiters outside Tandem.</summary>
    internal Action AsAction() => _target as Action ?? ((AsyncMethodBox)_target).ResumeAction;

    /// <summary>
    /// Marks the continuation refused, for an awaiter about to throw <paramref name="exception"/> from its registration
    /// (having captured nothing): <c>throw continuation.Refuse(new …)</c>. See <see cref="MarkRefused"/>.
    /// </summary>
    internal Exception Refuse(Exception exception)
    {
        MarkRefused();
        return exception;
    }

    /// <summary>
    /// Marks the continuation refused (see <see cref="Refuse"/>), for an awaiter that rethrows: a Tandem box is unbound
    /// from its task, so that the method's next suspension binds it again and refreshes its copy of the state machine
    /// (see <see cref="TandemTaskMethodBuilder{T}"/>). The registration captured nothing (or gave it up), so nothing
    /// resumes the box meanwhile.
    /// </summary>
    internal void MarkRefused()
    {
        if (Box is { } box) box.SetOwner(null);
    }

    /// <summary>Resumes the awaiter now: a Tandem box is queued on its task, a delegate is called inline.</summary>
    internal void Resume()
    {
        if (_target is AsyncMethodBox box) box.Resume();
        else ((Action)_target)();
    }
}
