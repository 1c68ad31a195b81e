using AudioStream.MediaService.Apis;
using AudioStream.MediaService.Denoising.CommandLine;
using AudioStream.MediaService.Extensions;
using AudioStream.MediaService.Grpc;
using AudioStream.MediaService.Infrastructure;
using AudioStream.MediaService.Nodes;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;

// `denoise` and `bench` run the denoiser on files, without the service or Aspire.
if (await DenoiserCommandLine.TryRunAsync(args) is int code)
{
    return code;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<MediaDbContext>(args))
{
    return 0;
}

app.UseMediaNodeHeader();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapStreamsApi();
app.MapWebRtcApi();
app.MapWhipPublishApi();
app.MapStreamKeysApi();
app.MapGrpcService<MediaStreamService>().RequireAuthorization(SessionAuthentication.ServicePolicy);
await app.RunAsync();
return 0;
