using AudioStream.MediaService.Extensions;
using AudioStream.MediaService.Infrastructure;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<MediaDbContext>(args))
{
    return;
}

app.MapDefaultEndpoints();
await app.RunAsync();
