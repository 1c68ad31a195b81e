using AudioStream.RecordingService.Apis;
using AudioStream.RecordingService.Bench;
using AudioStream.RecordingService.Extensions;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.ServiceDefaults;

// `bench` measures recording as Ogg Opus (CPU, storage) without the service or Aspire.
if (args is ["bench", .. var benchArgs])
{
    return OpusEncodingBench.Run(benchArgs);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<RecordingDbContext>(args))
{
    return 0;
}

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapRecordingsApi();
await app.RunAsync();
return 0;
