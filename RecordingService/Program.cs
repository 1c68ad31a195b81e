using AudioStream.RecordingService.Apis;
using AudioStream.RecordingService.Extensions;
using AudioStream.RecordingService.Infrastructure;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<RecordingDbContext>(args))
{
    return;
}

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapRecordingsApi();
await app.RunAsync();
