namespace Tandem.Internal.Joining;

/// <summary>
/// The task behind a handle, untyped: what an <see cref="AbortHandle"/> may do. Every member takes the token the
/// handle was given: the source is pooled, and a token from an earlier use is stale.
/// </summary>
internal interface ITaskControl
{
    /// <summary>The task's state; throws once the task was joined and its slot reused.</summary>
    TaskState GetState(int token);

    /// <summary>True when the task has finished (also true for a stale token).</summary>
    bool IsFinished(int token);

    /// <summary>Asks the task to stop at its next suspension point; no effect once finished.</summary>
    void Abort(int token);
}

/// <summary>
/// The task behind a <see cref="JoinHandle{T}"/>, on any tier. Every member takes the token the
/// handle was given: the source is pooled, and a token from an earlier use is stale.
/// </summary>
internal interface IJoinSource<T> : ITaskControl
{
    /// <summary>Registers the one joiner to resume when the task finishes.</summary>
    void OnJoin(int token, AwaitContinuation continuation);

    /// <summary>Registers <paramref name="waiter"/> as the one joiner (a blocking caller's wait, which it may withdraw
    /// with <see cref="ClaimableWait.TryCancel"/>: a withdrawn joiner is replaceable, as an aborted one is).</summary>
    /// <returns>False when the task has already finished (nothing was registered).</returns>
    /// <exception cref="InvalidOperationException">Another joiner is registered and has not given up, or the handle is stale or detached.</exception>
    bool TryWaitFor(int token, ClaimableWait waiter);

    /// <summary>Registers a set (join set) to be told, with <paramref name="tag"/>, when the task finishes.</summary>
    void SetListener(int token, IJoinListener listener, int tag);

    /// <summary>Consumes the outcome of a finished task: returns its result or throws its exception.</summary>
    T Join(int token, long id);

    /// <summary>Gives up interest in the outcome: the task runs on, and its slot is freed when it finishes.</summary>
    void Detach(int token, long id);
}

/// <summary>Hears that a member of a set finished.</summary>
internal interface IJoinListener
{
    /// <summary>The member of <paramref name="tag"/> finished and may be joined.</summary>
    void OnMemberFinished(int tag);
}
