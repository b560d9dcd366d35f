namespace Tandem.Core;

/// <summary>What a join set needs of a scheduler: to spawn async methods into it.</summary>
internal interface ITaskSpawner
{
    /// <summary>Spawns <paramref name="method"/>, or returns false when the scheduler is full.</summary>
    bool TrySpawn<TState, T>(Priority priority, TState state, Func<TState, TandemTask<T>> method, out JoinHandle<T> handle);

    /// <summary>The exception a full scheduler's <c>Spawn</c> throws.</summary>
    Exception CapacityExceeded();
}
