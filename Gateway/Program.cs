using AudioStream.Gateway.Extensions;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapPages();
app.MapReverseProxy();
await app.RunAsync();
