using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace AudioStream.IntegrationTests;

/// <summary>
/// The recordings API through the gateway, on recordings laid down the way the service stores them: a row in
/// recordingdb and a WAV named by the recording id in the storage root (which RecordingService reports on /health).
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class RecordingsApiTests(AppHostFixture fixture)
{
    private const int Rate = 48_000;

    [Fact]
    public async Task Owner_and_friends_list_recordings_newest_first_and_strangers_are_forbidden()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        using var eve = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var aliceId = await UserIdAsync(alice);
        var older = await SeedAsync(aliceId, alice.UserName, "Morning show", seconds: 61.5, createdAt: DateTimeOffset.UtcNow.AddHours(-2));
        var newer = await SeedAsync(aliceId, alice.UserName, "Evening show", seconds: 2, createdAt: DateTimeOffset.UtcNow.AddMinutes(-1), denoise: true);

        var mine = await alice.GetJsonAsync($"/api/recordings?owner={alice.UserName}");
        var theirs = await bob.GetJsonAsync($"/api/recordings?owner={alice.UserName.ToUpperInvariant()}");

        Assert.Equal([newer, older], mine.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal(mine.ToString(), theirs.ToString());
        var first = mine[1];
        Assert.Equal(alice.UserName, first.GetProperty("owner").GetString());
        Assert.Equal("Morning show", first.GetProperty("title").GetString());
        Assert.Equal(61.5, first.GetProperty("durationSeconds").GetDouble(), 3);
        Assert.Equal("01:01", first.GetProperty("duration").GetString());
        Assert.Equal("complete", first.GetProperty("status").GetString());
        Assert.False(first.GetProperty("denoise").GetBoolean());
        Assert.True(first.GetProperty("sizeBytes").GetInt64() > 61 * Rate * 2);
        Assert.True(mine[0].GetProperty("hasOriginal").GetBoolean());
        await AssertProblemAsync(eve.GetAsync($"/api/recordings?owner={alice.UserName}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(eve.GetAsync("/api/recordings?owner=bad%20name!"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(eve.GetAsync($"/api/recordings?owner=nobody_{Guid.NewGuid().ToString("N")[..8]}"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Unknown_ids_are_not_found_foreign_ones_forbidden_and_path_like_ones_not_found()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var eve = await new UserSession(fixture).RegisterAsync();
        var id = await SeedAsync(await UserIdAsync(alice), alice.UserName, "Private", seconds: 1);

        await AssertProblemAsync(alice.GetAsync($"/api/recordings/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await AssertProblemAsync(eve.GetAsync($"/api/recordings/{id}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(eve.GetAsync($"/api/recordings/{id}/audio"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(eve.GetAsync($"/api/recordings/{id}/peaks"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(alice.GetAsync("/api/recordings/..%2F..%2Fetc%2Fpasswd/audio"), HttpStatusCode.NotFound);
        await AssertProblemAsync(alice.GetAsync("/api/recordings/not-a-guid"), HttpStatusCode.NotFound);
        await AssertProblemAsync(alice.GetAsync($"/api/recordings/{id}/audio?track=../../x"), HttpStatusCode.BadRequest);
        await AssertProblemAsync(alice.GetAsync($"/api/recordings/{id}/audio?track=original"), HttpStatusCode.NotFound);
        var metadata = await alice.GetJsonAsync($"/api/recordings/{id}");
        Assert.Equal("Private", metadata.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_friend_plays_with_range_requests_and_downloads_the_original_track()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var id = await SeedAsync(await UserIdAsync(alice), alice.UserName, "Ranged", seconds: 1, denoise: true);

        using var whole = await bob.GetAsync($"/api/recordings/{id}/audio");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("audio/wav", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        Assert.Equal(44 + Rate * 2, bytes.Length);

        using var part = await bob.SendAsync(Ranged($"/api/recordings/{id}/audio", "bytes=44-143"));
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(bytes[44..144], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes.Length, part.Content.Headers.ContentRange?.Length);

        using var beyond = await bob.SendAsync(Ranged($"/api/recordings/{id}/audio", $"bytes={bytes.Length + 10}-"));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        using var malformed = await bob.SendAsync(Ranged($"/api/recordings/{id}/audio", "bytes=oops"));
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode); // RFC 9110 lets a server ignore a Range it cannot parse

        using var original = await bob.GetAsync($"/api/recordings/{id}/download?track=original");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("attachment", original.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith("-original.wav", original.Content.Headers.ContentDisposition?.FileNameStar ?? original.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var originalBytes = await original.Content.ReadAsByteArrayAsync();
        Assert.NotEqual(bytes[44..], originalBytes[44..]);

        // A recording stored as WAV (before Ogg Opus) is already what ?format=wav asks for; other formats are refused.
        using var asWav = await bob.GetAsync($"/api/recordings/{id}/audio?format=wav");
        Assert.Equal(bytes, await asWav.Content.ReadAsByteArrayAsync());
        await AssertProblemAsync(bob.GetAsync($"/api/recordings/{id}/audio?format=mp3"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Peaks_are_served_for_a_finished_recording()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        var id = await SeedAsync(await UserIdAsync(alice), alice.UserName, "Waves", seconds: 3);

        var peaks = await alice.GetJsonAsync($"/api/recordings/{id}/peaks");

        Assert.Equal(1000, peaks.GetProperty("count").GetInt32());
        Assert.Equal(2000, peaks.GetProperty("peaks").GetArrayLength());
        Assert.Equal(3 * Rate, peaks.GetProperty("samples").GetInt64());
        Assert.True(peaks.GetProperty("peaks")[1].GetDouble() > 0.1);
    }

    [Fact]
    public async Task Only_the_owner_renames_and_deletes_and_deleting_removes_the_files()
    {
        using var alice = await new UserSession(fixture).RegisterAsync();
        using var bob = await new UserSession(fixture).RegisterAsync();
        using var eve = await new UserSession(fixture).RegisterAsync();
        await alice.BefriendAsync(bob);
        var id = await SeedAsync(await UserIdAsync(alice), alice.UserName, "Draft", seconds: 1);
        await using var aliceSocket = await PresenceClient.ConnectAsync(alice);
        await using var bobSocket = await PresenceClient.ConnectAsync(bob);
        await using var eveSocket = await PresenceClient.ConnectAsync(eve);
        foreach (var socket in new[] { aliceSocket, bobSocket, eveSocket })
        {
            await socket.WaitForTypeAsync("all_statuses");
        }

        await AssertProblemAsync(bob.SendAsync(Patch($"/api/recordings/{id}", new { title = "Mine now" })), HttpStatusCode.Forbidden);
        await AssertProblemAsync(bob.DeleteAsync($"/api/recordings/{id}"), HttpStatusCode.Forbidden);
        await AssertProblemAsync(alice.SendAsync(Patch($"/api/recordings/{id}", new { title = "  " })), HttpStatusCode.BadRequest);
        await AssertProblemAsync(alice.SendAsync(Patch($"/api/recordings/{id}", new { title = new string('x', 201) })), HttpStatusCode.BadRequest);

        using (var renamed = await alice.SendAsync(Patch($"/api/recordings/{id}", new { title = " Final cut " })))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
            Assert.Equal("Final cut", (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        Assert.Equal("Final cut", (await bob.GetJsonAsync($"/api/recordings/{id}")).GetProperty("title").GetString());
        // The owner's pages and their friends' hear of it at once; a stranger does not.
        bool Change(JsonElement m, string change) => m.GetProperty("username").GetString() == alice.UserName
            && m.GetProperty("recordingId").GetGuid() == id && m.GetProperty("change").GetString() == change;
        await aliceSocket.WaitForTypeAsync("recordings_changed", m => Change(m, "renamed"), TimeSpan.FromSeconds(2));
        await bobSocket.WaitForTypeAsync("recordings_changed", m => Change(m, "renamed"), TimeSpan.FromSeconds(2));

        var root = await StorageRootAsync();
        Assert.True(File.Exists(Path.Combine(root, $"{id}.wav")));
        Assert.Equal(HttpStatusCode.NoContent, await UserSession.StatusOfAsync(alice.DeleteAsync($"/api/recordings/{id}")));
        Assert.False(File.Exists(Path.Combine(root, $"{id}.wav")));
        await AssertProblemAsync(alice.GetAsync($"/api/recordings/{id}"), HttpStatusCode.NotFound);
        await bobSocket.WaitForTypeAsync("recordings_changed", m => Change(m, "deleted"), TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(await eveSocket.CollectAsync(TimeSpan.FromMilliseconds(500)),
            m => m.GetProperty("type").GetString() == "recordings_changed");
    }

    [Fact]
    public async Task Without_a_session_the_api_answers_401()
    {
        using var anonymous = new UserSession(fixture);
        await AssertProblemAsync(anonymous.GetAsync("/api/recordings"), HttpStatusCode.Unauthorized);
    }

    private static HttpRequestMessage Ranged(string path, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Range", range);
        return request;
    }

    private static HttpRequestMessage Patch(string path, object body) =>
        new(HttpMethod.Patch, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };

    private static async Task AssertProblemAsync(Task<HttpResponseMessage> pending, HttpStatusCode expected)
    {
        using var response = await pending;
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<Guid> UserIdAsync(UserSession user) => (await user.GetJsonAsync("/api/identity/me")).GetProperty("id").GetGuid();

    private async Task<string> StorageRootAsync()
    {
        using var client = fixture.App.CreateHttpClient("recordings", "http");
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        return health.GetProperty("entries").GetProperty("recordings-storage").GetProperty("data").GetProperty("root").GetString()!;
    }

    /// <summary>A finished recording as the service leaves one: a 440 Hz tone (and a noisier original when denoised), row complete.</summary>
    private async Task<Guid> SeedAsync(Guid ownerId, string ownerName, string title, double seconds, DateTimeOffset? createdAt = null, bool denoise = false)
    {
        var id = Guid.CreateVersion7();
        var root = await StorageRootAsync();
        var samples = (int)(seconds * Rate);
        var size = WriteWav(Path.Combine(root, $"{id}.wav"), samples, noise: false);
        if (denoise)
        {
            size += WriteWav(Path.Combine(root, $"{id}.original.wav"), samples, noise: true);
        }

        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync("recordingdb"));
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO recordings ("Id", "StreamId", "OwnerId", "OwnerName", "Title", "Denoise", "HasOriginal", "CreatedAt",
                "DurationSeconds", "SizeBytes", "SampleRate", "Status", "SilenceSeconds", "EndedAt")
            VALUES (@id, @id, @owner, @name, @title, @denoise, @denoise, @created, @duration, @size, 48000, 'Complete', 0, now())
            """, connection);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("owner", ownerId);
        insert.Parameters.AddWithValue("name", ownerName);
        insert.Parameters.AddWithValue("title", title);
        insert.Parameters.AddWithValue("denoise", denoise);
        insert.Parameters.AddWithValue("created", createdAt ?? DateTimeOffset.UtcNow);
        insert.Parameters.AddWithValue("duration", (double)samples / Rate);
        insert.Parameters.AddWithValue("size", size);
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    private static long WriteWav(string path, int samples, bool noise)
    {
        var bytes = new byte[44 + samples * 2];
        "RIFF"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), (uint)(36 + samples * 2));
        "WAVEfmt "u8.CopyTo(bytes.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(22), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), Rate);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), Rate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(32), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(34), 16);
        "data"u8.CopyTo(bytes.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(40), (uint)(samples * 2));
        var random = new Random(samples);
        for (int i = 0; i < samples; i++)
        {
            var value = 0.4 * Math.Sin(2 * Math.PI * 440 * i / Rate) + (noise ? 0.2 * (random.NextDouble() - 0.5) : 0);
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(44 + i * 2), (short)(value * 32767));
        }
        File.WriteAllBytes(path, bytes);
        return bytes.Length;
    }
}
