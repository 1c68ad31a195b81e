using AudioStream.AppHost;
using AudioStream.AppHost.Backup;

if (BackupCommandLine.IsVerb(args))
{
    return await BackupCommandLine.RunAsync(args);
}

var builder = DistributedApplication.CreateBuilder(args);
builder.AddUserSecretsInEveryEnvironment();

var infrastructure = builder.AddInfrastructure();
var redis = infrastructure.Redis;
var certificate = builder.AddGatewayCertificate();
var turn = builder.AddTurnRelay(certificate);
builder.WatchAddresses(certificate, turn);

var identity = builder.AddService<Projects.IdentityService>("identity")
    .WithDatabase(infrastructure.Database("identitydb"))
    .WithRedis(redis)
    .WithConfigurationSection("Identity");

var social = builder.AddService<Projects.SocialService>("social")
    .WithDatabase(infrastructure.Database("socialdb"))
    .WithRedis(redis)
    .WithReference(identity).WaitFor(identity);

var presence = builder.AddService<Projects.PresenceService>("presence")
    .WithRedis(redis)
    .WithReference(social).WaitFor(social)
    .WithReplicas(builder.Configuration.GetValue("Presence:Replicas", 1));

var media = builder.AddMediaNodes(infrastructure.Database("mediadb"), redis, social, turn);

var recordings = builder.AddService<Projects.RecordingService>("recordings")
    .WithDatabase(infrastructure.Database("recordingdb"))
    .WithRedis(redis)
    .WithReference(social).WaitFor(social)
    .WithMediaNodes(media)
    .WithEnvironment("Recordings__StorageRoot", builder.Configuration["Recordings:StorageRoot"]
        ?? Path.Combine(builder.DataRoot(), "recordings"))
    .WithEnvironment("Recordings__ReconcileSeconds", builder.Configuration["Recordings:ReconcileSeconds"] ?? "15")
    // Each stream is recorded by the instance holding its lease in Redis; all share the storage root (README).
    .WithReplicas(builder.Configuration.GetValue("Recordings:Replicas", 1));
// Recording limits (README): the service's defaults unless set here (tests set them small).
foreach (var limit in new[] { "QuotaBytesPerUser", "MinFreeBytes", "MaxHours" })
{
    if (builder.Configuration[$"Recordings:{limit}"] is { } value)
    {
        recordings.WithEnvironment($"Recordings__{limit}", value);
    }
}

builder.AddService<Projects.Gateway>("gateway")
    .WithPublicEndpoints(certificate)
    .WithConfigurationSection("Gateway:RateLimits")
    .WithRedis(redis)
    .WithReference(identity).WaitFor(identity)
    .WithReference(social).WaitFor(social)
    .WithReference(presence).WaitFor(presence)
    .WithMediaNodes(media)
    .WithReference(recordings).WaitFor(recordings);

builder.AddBackups();

builder.Build().Run();
return 0;
