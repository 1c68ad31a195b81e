namespace AudioStream.Gateway.Extensions;

/// <summary>Configuration section <c>Gateway</c> (the AppHost sets it).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Where plain HTTP from other machines is redirected; 0 = no HTTPS endpoint, no redirect.</summary>
    public int HttpsPort { get; set; }

    /// <summary>The local CA's certificate (PEM) when the AppHost generated the server certificate; served at /ca.crt.</summary>
    public string? CaCertificatePath { get; set; }
}
