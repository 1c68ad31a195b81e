using AudioStream.PresenceService.Apis;
using AudioStream.PresenceService.Extensions;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15), KeepAliveTimeout = TimeSpan.FromSeconds(30) });
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapPresenceApi();
await app.RunAsync();
