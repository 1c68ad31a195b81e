using System.Text.Json;
using AudioStream.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AudioStream.ServiceDefaults;

/// <summary>What every AudioStream service shares: telemetry, health, discovery, resilience, problem details.</summary>
public static class HostingExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";
    /// <summary>What the gateway's public <c>/api/{area}/health</c> routes to: the overall status only.</summary>
    public const string PublicHealthPath = "/health/status";
    private const string LiveTag = "live";
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddGatewayForwardedHeaders();
        // Nothing in the public API takes a large body (SDP offers are a few kB); refuse big ones before reading them.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(
            options => options.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        builder.Services.AddServiceDiscovery();
        // Every client finds services by name. Resilience is per kind of client: AddResilientHttpClient for plain
        // HTTP, gRPC's own retry policy for AddServiceGrpcClient (see GrpcClients).
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        return builder;
    }

    /// <summary>A typed HTTP client for request/response calls, with the standard resilience pipeline (retry, circuit breaker, timeouts).</summary>
    public static IHttpClientBuilder AddResilientHttpClient<TClient>(this IServiceCollection services, Action<HttpClient> configure)
        where TClient : class
    {
        var client = services.AddHttpClient<TClient>(configure);
        client.AddStandardResilienceHandler();
        return client;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("AudioStream.*"))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !IsHealthRequest(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Forwarded headers from the gateway (see <see cref="GatewayForwardedHeaders"/>), errors as RFC 9457 problem details (unhandled exceptions, and bodiless 4xx/5xx such as a malformed JSON body),
    /// then authentication and authorization for the services that registered them.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        // First: everything after it (cookies, redirects, origin checks, logs) sees the browser's scheme, host and address.
        app.UseGatewayForwardedHeaders();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Malformed or oversized bodies are the client's fault (Development even throws them): keep their 4xx.
            StatusCodeSelector = exception => exception is BadHttpRequestException badRequest
                ? badRequest.StatusCode
                : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.UseSameOriginRequests();
        if (app.Services.GetService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>() is not null)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }
        return app;
    }

    /// <summary>
    /// <c>/health</c> runs every check (the service's own dependencies included) and answers JSON with each entry:
    /// storage paths, free bytes and dependency errors are for operators, so it is reached only on the service's own
    /// internal endpoint (the AppHost and its dashboard), never through the gateway. <see cref="PublicHealthPath"/>
    /// runs the same checks and answers the overall status alone. <c>/alive</c> only says the process is up.
    /// </summary>
    /// <param name="publicFacing">The process faces the internet itself (the gateway): even <c>/health</c> answers status only.</param>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, bool publicFacing = false)
    {
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResponseWriter = publicFacing ? WriteHealthStatusAsync : WriteHealthReportAsync });
        app.MapHealthChecks(PublicHealthPath, new HealthCheckOptions { ResponseWriter = WriteHealthStatusAsync });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }

    private static bool IsHealthRequest(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);

    private static Task WriteHealthStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, JsonOptions));
    }

    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = report.TotalDuration.TotalMilliseconds,
            entries = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status.ToString(),
                    description = entry.Value.Description,
                    durationMs = entry.Value.Duration.TotalMilliseconds,
                    data = entry.Value.Data,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
