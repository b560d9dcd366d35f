namespace Tandem;

/// <summary>Which tier a <see cref="Runtime"/> is.</summary>
public enum RuntimeMode
{
    /// <summary>Single-threaded, fixed capacity, zero allocation after start-up, deterministic.</summary>
    Embedded = 0,

    /// <summary>Multi-threaded, work-stealing, for servers and desktops.</summary>
    Host = 1,
}
