using AudioStream.ServiceDefaults.Messaging;
using StackExchange.Redis;

namespace AudioStream.RecordingService.Live;

/// <summary>
/// Which RecordingService instance records which stream: <see cref="MediaRegistryKeys.RecordingLease"/> names the
/// instance, lives <see cref="MediaRegistryKeys.Lease"/> and is extended by that instance only. An instance that
/// dies stops extending; once its leases lapse another instance takes them and carries on the same recordings.
/// </summary>
public sealed class RecordingLeases(IConnectionMultiplexer redis)
{
    /// <summary>This process among the recorders (unique per start: a restarted instance is a new holder).</summary>
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    public Task<bool> TryTakeAsync(Guid sessionId) =>
        redis.GetDatabase().TryTakeAsync(MediaRegistryKeys.RecordingLease(sessionId), InstanceId, MediaRegistryKeys.Lease);

    /// <summary>Extends the leases of the recordings this instance writes; returns those it no longer holds.</summary>
    public async Task<IReadOnlyList<Guid>> RenewAsync(IEnumerable<Guid> sessionIds)
    {
        var database = redis.GetDatabase();
        var renewals = sessionIds
            .Select(id => (Id: id, Held: database.TryExtendAsync(MediaRegistryKeys.RecordingLease(id), InstanceId, MediaRegistryKeys.Lease)))
            .ToList();
        await Task.WhenAll(renewals.Select(r => r.Held));
        return [.. renewals.Where(r => !r.Held.Result).Select(r => r.Id)];
    }

    public Task<bool> ReleaseAsync(Guid sessionId) =>
        redis.GetDatabase().ReleaseAsync(MediaRegistryKeys.RecordingLease(sessionId), InstanceId);

    /// <summary>
    /// Whether a media node still holds the stream (<see cref="MediaRegistryKeys.StreamSession"/>): absent once the
    /// stream ended or its node stopped renewing.
    /// </summary>
    public Task<bool> IsStreamOnANodeAsync(Guid sessionId) =>
        redis.GetDatabase().KeyExistsAsync(MediaRegistryKeys.StreamSession(sessionId));
}
