namespace AudioStream.ServiceDefaults.Messaging;

/// <summary>
/// The Redis keys of the media-node registry and of the recorders' leases (README: "More than one media node").
/// Every lease here lives <see cref="LeaseTtl"/> and is renewed every <see cref="RenewInterval"/> by its holder only.
/// </summary>
public static class MediaRegistryKeys
{
    /// <summary>How long a lease lives unless its holder renews it.</summary>
    public static readonly TimeSpan LeaseTtl = TimeSpan.FromMilliseconds(6000);

    /// <summary>How often a holder renews its leases: three chances before one lapses.</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    /// <summary>The set of registered node ids; a member whose <see cref="Node"/> hash is gone is a lost node.</summary>
    public const string Nodes = "media:nodes";

    /// <summary>The short lock the node that sweeps lost nodes holds.</summary>
    public const string Sweep = "media:sweep";

    /// <summary>A node's hash {id, http, grpc, udp, kind, streams, capacity, state}.</summary>
    public static string Node(string nodeId) => $"media:node:{nodeId}";

    /// <summary>A live stream's node id, by session.</summary>
    public static string StreamSession(Guid sessionId) => $"media:stream:session:{sessionId:D}";

    /// <summary>A live stream's session id, by its owner's user name.</summary>
    public static string StreamOwner(string ownerUserName) => $"media:stream:owner:{ownerUserName}";

    /// <summary>The RecordingService instance recording a stream.</summary>
    public static string RecordingLease(Guid sessionId) => $"recording:lease:{sessionId:D}";
}
