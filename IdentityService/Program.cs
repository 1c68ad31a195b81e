using AudioStream.IdentityService.Extensions;
using AudioStream.IdentityService.Infrastructure;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<IdentityDbContext>(args))
{
    return;
}

app.MapDefaultEndpoints();
await app.RunAsync();
