namespace AudioStream.ServiceDefaults.Messaging;

/// <summary>
/// The media registry in Redis (issue #13; ../shared/design/ARCHITECTURE.md, "Beyond one machine"): where each media
/// node and each live stream is, held under leases that only their holder renews. Media nodes write it; the gateway
/// routes by it; recorders read which node holds a stream and hold their own recording leases here.
/// </summary>
public static class MediaRegistryKeys
{
    /// <summary>How long a node's, a stream's or a recording's lease lasts unless its holder renews it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(6000);

    /// <summary>How often holders renew their leases (three renewals fit in one lease).</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    /// <summary>A set of node ids. A member whose <see cref="Node"/> hash is gone is a lost node; the sweeper removes it.</summary>
    public const string Nodes = "media:nodes";

    /// <summary>A short lock: the one node that holds it sweeps lost nodes' streams.</summary>
    public const string Sweep = "media:sweep";

    /// <summary>A hash of <see cref="NodeFields"/>, PEXPIRE <see cref="Lease"/>, renewed by the node.</summary>
    public static string Node(string nodeId) => $"media:node:{nodeId}";

    /// <summary>The node id holding a live stream, extended only by that node.</summary>
    public static string StreamSession(Guid sessionId) => $"{StreamSessionPrefix}{sessionId:D}";

    /// <summary>The session id of a user's live stream, extended only by the node that holds it. User names compare ignoring case.</summary>
    public static string StreamOwner(string ownerUserName) => $"media:stream:owner:{ownerUserName.ToLowerInvariant()}";

    /// <summary>The RecordingService instance recording a stream, renewed by that instance.</summary>
    public static string RecordingLease(Guid sessionId) => $"recording:lease:{sessionId:D}";

    /// <summary>The prefix of <see cref="StreamSession"/>, for scripts that go from an owner to the node in one round trip.</summary>
    public const string StreamSessionPrefix = "media:stream:session:";

    /// <summary>The prefix of <see cref="Node"/>, for scripts.</summary>
    public const string NodePrefix = "media:node:";

    /// <summary>The fields of a <see cref="Node"/> hash.</summary>
    public static class NodeFields
    {
        public const string Id = "id";

        /// <summary>Internal HTTP address (the gateway proxies public requests to it).</summary>
        public const string Http = "http";

        /// <summary>Internal gRPC address (recorders subscribe to streams there).</summary>
        public const string Grpc = "grpc";

        /// <summary>The WebRTC socket, <c>host:port</c>.</summary>
        public const string Udp = "udp";

        /// <summary><see cref="KindGpu"/> or <see cref="KindCpu"/>: where the denoiser runs.</summary>
        public const string Kind = "kind";

        /// <summary>Live streams the node holds now.</summary>
        public const string Streams = "streams";

        /// <summary>The most live streams it takes (<c>Media:MaxStreams</c>).</summary>
        public const string Capacity = "capacity";

        /// <summary><see cref="StateServing"/> or <see cref="StateDraining"/> (no new streams).</summary>
        public const string State = "state";

        public const string KindGpu = "gpu";
        public const string KindCpu = "cpu";
        public const string StateServing = "serving";
        public const string StateDraining = "draining";
    }
}
