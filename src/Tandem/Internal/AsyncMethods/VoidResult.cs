namespace Tandem.Internal.AsyncMethods;

/// <summary>The result of work that produces no value; lets void and valued tasks share one implementation.</summary>
internal readonly struct VoidResult;
