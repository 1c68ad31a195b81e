using AudioStream.IdentityService.Apis;
using AudioStream.IdentityService.Extensions;
using AudioStream.IdentityService.Grpc;
using AudioStream.IdentityService.Infrastructure;
using AudioStream.ServiceDefaults;
using AudioStream.ServiceDefaults.Security;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
if (await app.MigrateIfRequestedAsync<IdentityDbContext>(args))
{
    return;
}

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapIdentityApi();
app.MapGrpcService<UserDirectoryService>().RequireAuthorization(SessionAuthentication.ServicePolicy);
await app.RunAsync();
