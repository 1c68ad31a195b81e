using AudioStream.ServiceDefaults.Security;
using Microsoft.Extensions.DependencyInjection;

namespace AudioStream.ServiceDefaults;

public static class GrpcClients
{
    /// <summary>
    /// A gRPC client for another AudioStream service, found by service discovery on its HTTP/2 endpoint named
    /// <c>grpc</c>, carrying this service's token.
    /// </summary>
    public static IHttpClientBuilder AddServiceGrpcClient<TClient>(this IServiceCollection services, string serviceName)
        where TClient : class =>
        services.AddGrpcClient<TClient>(options => options.Address = new Uri($"http://_grpc.{serviceName}"))
            .AddHttpMessageHandler<ServiceTokenHandler>();
}
