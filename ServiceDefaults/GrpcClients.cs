using AudioStream.ServiceDefaults.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AudioStream.ServiceDefaults;

public static class GrpcClients
{
    /// <summary>
    /// A gRPC client for another AudioStream service, found by service discovery on its HTTP/2 endpoint named
    /// <c>grpc</c>, carrying this service's token. Resilience is gRPC's own retry policy: it retries only calls that
    /// have not received a message yet, so it is safe for server streams (MediaStream.Subscribe), which the HTTP
    /// standard resilience handler's 30 s total timeout would cut. Its tokens are addressed to <paramref name="serviceName"/>.
    /// </summary>
    public static IHttpClientBuilder AddServiceGrpcClient<TClient>(this IServiceCollection services, string serviceName)
        where TClient : class =>
        services.AddGrpcClient<TClient>(options => options.Address = new Uri($"http://_grpc.{serviceName}"))
            .ConfigureChannel(channel => channel.ServiceConfig = new ServiceConfig { MethodConfigs = { RetryTransientFailures } })
            .AddHttpMessageHandler(services => new ServiceTokenHandler(services.GetRequiredService<ServiceTokenIssuer>(), serviceName));

    /// <summary>
    /// A channel to one instance of another AudioStream service at <paramref name="address"/> (found in a registry, not
    /// by service discovery), with the same token and retry policy as <see cref="AddServiceGrpcClient{TClient}"/>.
    /// </summary>
    public static GrpcChannel ChannelFor(Uri address, ServiceTokenIssuer issuer, string serviceName) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new ServiceTokenHandler(issuer, serviceName) { InnerHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } },
            ServiceConfig = new ServiceConfig { MethodConfigs = { RetryTransientFailures } },
            DisposeHttpClient = true,
        });

    private static readonly MethodConfig RetryTransientFailures = new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 4,
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { StatusCode.Unavailable },
        },
    };
}
