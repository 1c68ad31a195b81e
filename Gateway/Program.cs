using AudioStream.Gateway.Extensions;
using AudioStream.Gateway.Media;
using AudioStream.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
// Problem details without the exception's text or stack, whatever the environment.
app.UseExceptionHandler();
app.UseTransportSecurity();
app.UseWebSockets();
app.UseRateLimiter();
app.MapDefaultEndpoints(publicFacing: true);
app.MapCertificateAuthority();
app.MapPages();
app.MapReverseProxy(proxy =>
{
    proxy.UseMediaNodeRouting();
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});
await app.RunAsync();
