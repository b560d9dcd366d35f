namespace Tandem;

/// <summary>Thrown by receiving from a channel that was completed and has no message left.</summary>
public sealed class ChannelCompletedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ChannelCompletedException() : base("The channel is completed: no more messages will come.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public ChannelCompletedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public ChannelCompletedException(string message, Exception inner) : base(message, inner) { }
}
