using AudioStream.Gateway.Extensions;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseTransportSecurity();
app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapCertificateAuthority();
app.MapPages();
app.MapReverseProxy();
await app.RunAsync();
