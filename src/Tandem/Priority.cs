namespace Tandem;

/// <summary>
/// The five scheduling levels. A ready task of a lower number always runs before a ready task
/// of a higher number on the same scheduler; tasks of one level take turns.
/// </summary>
public enum Priority
{
    /// <summary>Level 0: runs before everything else (control loops, health checks).</summary>
    Critical = 0,

    /// <summary>Level 1.</summary>
    High = 1,

    /// <summary>Level 2: the default.</summary>
    Normal = 2,

    /// <summary>Level 3.</summary>
    Low = 3,

    /// <summary>Level 4: runs only when no other level has work.</summary>
    Idle = 4,
}
