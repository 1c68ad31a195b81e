using Yarp.ReverseProxy.Forwarder;

namespace AudioStream.Gateway.Media;

/// <summary>
/// Connecting to a media node gives up after <see cref="Timeout"/>: a node that died with its machine answers nothing
/// (no refusal), and its users must hear so within a second, not after the operating system's minutes.
/// </summary>
internal sealed class NodeConnectTimeout : ForwarderHttpClientFactory
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (context.ClusterId == Extensions.ProxyRoutes.MediaCluster)
        {
            handler.ConnectTimeout = Timeout;
        }
    }
}
