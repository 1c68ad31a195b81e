using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;
using AudioStream.SocialService.Apis;
using AudioStream.SocialService.Extensions;
using AudioStream.SocialService.Grpc;
using AudioStream.SocialService.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<SocialDbContext>(args))
{
    return;
}

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapSocialApi();
app.MapGrpcService<SocialGraphService>().RequireAuthorization(SessionAuthentication.ServicePolicy);
await app.RunAsync();
