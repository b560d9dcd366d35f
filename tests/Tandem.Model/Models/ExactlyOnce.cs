namespace Tandem.Model.Models;

/// <summary>The check shared by the queues' models: every task put in came out exactly once.</summary>
internal static class ExactlyOnce
{
    public static void Check(int queued, IEnumerable<ModelTask> taken)
    {
        var counts = new int[queued];
        foreach (var task in taken) counts[task.Number]++;
        for (int i = 0; i < queued; i++)
        {
            if (counts[i] == 0) throw new InvalidOperationException($"task {i} was lost");
            if (counts[i] > 1) throw new InvalidOperationException($"task {i} was taken {counts[i]} times");
        }
    }
}
