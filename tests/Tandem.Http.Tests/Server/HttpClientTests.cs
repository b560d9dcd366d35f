namespace Tandem.Http.Tests.Server;

/// <summary>
/// The client side: <see cref="System.Net.Http.HttpClient"/> inside a Tandem task (the design report's
/// <c>await http_get(url)</c>), against Tandem's own server over loopback — the request resumes on the runtime's workers at
/// the task's priority, and a per-request timeout ends it.
/// </summary>
public class HttpClientTests
{
    /// <summary>A GET from a High task returns the server's body, and the task goes on at its priority, on a worker.</summary>
    [Fact]
    public async Task HttpClientInsideATaskResumesAtItsPriority()
    {
        await using var server = new TestServer();
        using var http = new HttpClient();
        var url = $"http://{server.Server.LocalEndPoint}/plaintext";
        var (body, inTask, priority) = await Task.Run(() => server.Runtime.BlockOn(Priority.High, async () =>
        {
            using var timeout = new CancellationTokenSource(RawClient.Bound);
            string text = await http.GetStringAsync(url, timeout.Token);
            return (text, Async.IsInTask, Async.CurrentPriority);
        })).WaitAsync(RawClient.Bound);
        Assert.Equal("Hello, World!", body);
        Assert.True(inTask);
        Assert.Equal(Priority.High, priority);
    }

    /// <summary>A per-request timeout cancels a request the server does not answer in time; the task sees the
    /// cancellation and goes on.</summary>
    [Fact]
    public async Task APerRequestTimeoutEndsTheRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new TestServer(routes => routes.MapGet("/late", async ctx => await release.Task));
        using var http = new HttpClient();
        var url = $"http://{server.Server.LocalEndPoint}/late";
        var outcome = await Task.Run(() => server.Runtime.BlockOn(Priority.Normal, async () =>
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await http.GetStringAsync(url, timeout.Token);
                return "answered";
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        })).WaitAsync(RawClient.Bound);
        release.SetResult();
        Assert.Equal("timed out", outcome);
    }
}
