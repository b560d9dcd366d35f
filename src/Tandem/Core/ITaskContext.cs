namespace Tandem.Core;

/// <summary>Marks the synchronization context of a Tandem task's polls (see <see cref="TaskCore.Context"/>): a thread
/// whose current context is one is inside a Tandem poll loop.</summary>
internal interface ITaskContext;
