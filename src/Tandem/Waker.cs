namespace Tandem;

/// <summary>
/// Wakes one task (or one member of a set): after <see cref="Wake"/>, the owner of the waker
/// polls again. A waker is a plain value: copying it, storing it and calling it allocate nothing,
/// and it may be called from any thread, any number of times; a task woken several times before
/// it runs again runs once.
/// </summary>
public readonly struct Waker : IEquatable<Waker>
{
    private readonly IWakeTarget? _target;
    private readonly int _index;
    private readonly int _generation;

    internal Waker(IWakeTarget target, int index, int generation)
    {
        _target = target;
        _index = index;
        _generation = generation;
    }

    /// <summary>A waker that does nothing when woken.</summary>
    public static Waker Noop => default;

    /// <summary>True for <see cref="Noop"/>.</summary>
    public bool IsNoop => _target is null;

    /// <summary>
    /// The index this waker signals in its scheduler's <see cref="Embedded.WakerRegistry"/>
    /// (the task's slot), or -1 for a waker that does not go through a registry.
    /// </summary>
    public int RegistryIndex => _target is IRegistryWakeTarget ? _index : -1;

    /// <summary>Asks the owner to poll again. Safe from any thread; never blocks; allocates nothing.</summary>
    public void Wake() => _target?.Wake(_index, _generation);

    /// <inheritdoc />
    public bool Equals(Waker other) =>
        ReferenceEquals(_target, other._target) && _index == other._index && _generation == other._generation;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Waker other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_target, _index, _generation);

    /// <summary>True when both wake the same owner.</summary>
    /// <param name="left">The first waker.</param>
    /// <param name="right">The second waker.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(Waker left, Waker right) => left.Equals(right);

    /// <summary>True when they wake different owners.</summary>
    /// <param name="left">The first waker.</param>
    /// <param name="right">The second waker.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(Waker left, Waker right) => !left.Equals(right);
}

/// <summary>Something a <see cref="Waker"/> can wake: a scheduler's task slot or a member of a set.</summary>
internal interface IWakeTarget
{
    /// <summary>Wakes the owner at <paramref name="index"/> if it is still the one of <paramref name="generation"/>.</summary>
    void Wake(int index, int generation);
}

/// <summary>A wake target whose indices are keys of a <see cref="Embedded.WakerRegistry"/>.</summary>
internal interface IRegistryWakeTarget : IWakeTarget;
