using AudioStream.SocialService.Extensions;
using AudioStream.SocialService.Infrastructure;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<SocialDbContext>(args))
{
    return;
}

app.MapDefaultEndpoints();
await app.RunAsync();
