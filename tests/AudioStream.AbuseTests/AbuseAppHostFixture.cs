namespace AudioStream.AbuseTests;

/// <summary>
/// The AppHost every abuse test shares (one start for the assembly): the usual one, with listeners' access re-checked
/// every <see cref="AccessCheckSeconds"/> so that the backstop for a missed revocation can be shown in a test's time.
/// It stays well above the 2 s the events must meet, so a cut within 2 s is (mostly) the event's doing, not the timer's.
/// </summary>
public sealed class AbuseAppHostFixture : AppHostFixture
{
    public const int AccessCheckSeconds = 6;

    protected override IEnumerable<string> ExtraArguments => [$"--Media:AccessCheckSeconds={AccessCheckSeconds}"];
}

[CollectionDefinition(Name)]
public sealed class AbuseCollection : ICollectionFixture<AbuseAppHostFixture>
{
    public const string Name = "Abuse";
}
