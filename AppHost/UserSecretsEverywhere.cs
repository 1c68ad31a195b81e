using System.Reflection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace AudioStream.AppHost;

/// <summary>
/// The generated secrets (PostgreSQL, Redis and TURN passwords) are Aspire parameters persisted in the AppHost's user
/// secrets, which .NET reads only in Development. <c>./run.sh</c> runs in Production, so the AppHost reads them in
/// every environment, at the place Development would (after appsettings, before environment variables and the
/// command line, which still override them).
/// </summary>
internal static class UserSecretsEverywhere
{
    public static void AddUserSecretsInEveryEnvironment(this IDistributedApplicationBuilder builder)
    {
        if (builder.Environment.IsDevelopment())
        {
            return;
        }
        var sources = builder.Configuration.Sources;
        var secrets = new ConfigurationBuilder().AddUserSecrets(Assembly.GetExecutingAssembly(), optional: true).Sources[0];
        var environmentVariables = sources.Select((source, index) => (source, index))
            .LastOrDefault(entry => entry.source is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        sources.Insert(environmentVariables.source is null ? sources.Count : environmentVariables.index, secrets);
    }
}
