using Microsoft.Extensions.Logging;

namespace Tandem.Extensions.Hosting;

/// <summary>What the package logs, and at which level (event ids 1 to 6).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Tandem runtime started: {Tier} tier, {WorkerCount} workers")]
    public static partial void RuntimeStarted(ILogger logger, RuntimeMode tier, int workerCount);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Tandem task {TaskId} faulted and nobody joined it: {ExceptionType}: {ExceptionMessage}")]
    public static partial void UnobservedTaskException(ILogger logger, long taskId, string exceptionType, string exceptionMessage, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Tandem runtime shut down: every task finished")]
    public static partial void RuntimeShutDown(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Tandem runtime shut down, but {TaskCount} tasks had not finished unwinding within {Timeout}")]
    public static partial void ShutdownIncomplete(ILogger logger, int taskCount, TimeSpan timeout);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Tandem stall: {Stall}")]
    public static partial void Stall(ILogger logger, string stall);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "The host's shutdown timeout ran out while the Tandem runtime was shutting down: the shutdown goes on in the background, for up to Tandem:ShutdownTimeout, while the host stops")]
    public static partial void ShutdownCutShort(ILogger logger);
}
