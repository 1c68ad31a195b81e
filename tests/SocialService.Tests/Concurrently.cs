namespace AudioStream.SocialService.Tests;

/// <summary>Runs operations at the same moment, each on its own thread, released together once all are ready.</summary>
internal static class Concurrently
{
    public static async Task<T[]> RunAsync<T>(params Func<Task<T>>[] operations)
    {
        using var ready = new CountdownEvent(operations.Length);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = operations.Select(operation => Task.Run(async () =>
        {
            ready.Signal();
            await go.Task;
            return await operation();
        })).ToArray();
        ready.Wait(TimeSpan.FromSeconds(30));
        go.SetResult();
        return await Task.WhenAll(running);
    }
}
