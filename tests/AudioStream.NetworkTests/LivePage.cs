using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace AudioStream.NetworkTests;

/// <summary>What a person does on the pages (register, befriend, go live, listen) and what the page's WebRTC reports.</summary>
internal static partial class LivePage
{
    public const string Password = "correct horse battery";

    /// <summary>Registers through the form and waits for the main page's presence socket (wss, same-origin check).</summary>
    public static async Task RegisterAsync(IPage page, string userName)
    {
        await page.GotoAsync("/register");
        await page.GetByLabel("Username").FillAsync(userName);
        await page.GetByLabel("Email").FillAsync($"{userName}@example.com");
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(MainPage(), new() { Timeout = 15_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "open", new() { Timeout = 15_000 });
    }

    /// <summary>Gives a browser context the session of <paramref name="user"/> (signed in over HTTP on this machine) for <paramref name="origin"/>.</summary>
    public static Task AddSessionAsync(IBrowserContext context, UserSession user, Uri origin) =>
        context.AddCookiesAsync(user.Cookies.GetCookies(user.BaseAddress).Select(cookie => new Microsoft.Playwright.Cookie
        {
            Name = cookie.Name,
            Value = cookie.Value,
            Url = origin.GetLeftPart(UriPartial.Authority),
        }));

    /// <summary>The page's user asks <paramref name="friend"/> (a session on this machine) to be friends; they accept.</summary>
    public static async Task BefriendAsync(IPage page, UserSession friend)
    {
        var id = await page.EvaluateAsync<string>("""
            async (name) => {
              const response = await fetch('/api/social/requests', {
                method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name }) });
              if (response.status !== 201) throw new Error(`friend request: ${response.status}`);
              return (await response.json()).id;
            }
            """, friend.UserName);
        using var accepted = await friend.PostAsync($"/api/social/requests/{id}/accept");
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    /// <summary>Goes live with live.js (denoising off: the network is under test); returns WHIP POST → connected in ms.</summary>
    public static Task<double> GoLiveAsync(IPage page, string? iceTransportPolicy) => page.EvaluateAsync<double>("""
        async (policy) => {
          const live = await import('/js/live.js');
          window.broadcast = await live.goLive({ denoise: false, iceTransportPolicy: policy ?? undefined });
          return window.broadcast.connectMs;
        }
        """, iceTransportPolicy);

    /// <summary>Listens with live.js; returns WHEP POST → connected in ms.</summary>
    public static Task<double> ListenAsync(IPage page, string userName) => page.EvaluateAsync<double>("""
        async (name) => {
          const live = await import('/js/live.js');
          window.listening = await live.listen(name);
          return window.listening.connectMs;
        }
        """, userName);

    /// <summary>The path the broadcaster's media took: the selected candidate pair and its round-trip time.</summary>
    public static async Task<PathStats> PathAsync(IPage page, string connection)
    {
        var json = await page.EvaluateAsync<string>("""
            async (name) => {
              const stats = await window[name].pc.getStats();
              let pair = null;
              stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
              const local = pair ? stats.get(pair.localCandidateId) : {};
              const remote = pair ? stats.get(pair.remoteCandidateId) : {};
              return JSON.stringify({
                localType: local.candidateType ?? null, protocol: local.protocol ?? null, relayProtocol: local.relayProtocol ?? null,
                localAddress: local.address ?? null, remoteAddress: remote.address ?? null,
                roundTripSeconds: pair?.currentRoundTripTime ?? null });
            }
            """, connection);
        return JsonSerializer.Deserialize<PathStats>(json, JsonOptions)!;
    }

    /// <summary>
    /// An init script that keeps every <c>icecandidateerror</c> of the page's peer connections (a STUN/TURN server that
    /// did not answer or refused, with its code) in <c>window.iceErrors</c>; <see cref="IceErrorsAsync"/> reads them.
    /// </summary>
    public const string RecordIceErrors = """
        (() => {
          const Native = window.RTCPeerConnection;
          window.iceErrors = [];
          const Recording = function (...args) {
            const pc = new Native(...args);
            pc.addEventListener('icecandidateerror', e => window.iceErrors.push(
              `${new Date().toISOString()} ${e.url} from ${e.address ?? '?'}:${e.port ?? '?'}: ${e.errorCode} ${e.errorText}`));
            return pc;
          };
          Recording.prototype = Native.prototype;
          Object.setPrototypeOf(Recording, Native);
          window.RTCPeerConnection = Recording;
        })();
        """;

    public static Task<string> IceErrorsAsync(IPage page) =>
        page.EvaluateAsync<string>("() => (window.iceErrors ?? ['(not recorded)']).join('\\n') || '(none)'");

    /// <summary>Every candidate pair of a connection, one a line (state, nomination, checks, both candidates): why a path was or was not chosen.</summary>
    public static Task<string> CandidatePairsAsync(IPage page, string connection) => page.EvaluateAsync<string>("""
        async (name) => {
          const stats = await window[name].pc.getStats();
          const describe = (c) => c ? `${c.candidateType}/${c.relayProtocol ?? c.protocol} ${c.address}:${c.port}` : '?';
          const lines = [];
          stats.forEach(s => {
            if (s.type !== 'candidate-pair') return;
            lines.push(`${describe(stats.get(s.localCandidateId))} → ${describe(stats.get(s.remoteCandidateId))}: ${s.state}` +
              `${s.nominated ? ', nominated' : ''}, requests ${s.requestsSent}/${s.responsesReceived} answered, rtt ${s.currentRoundTripTime ?? '-'}`);
          });
          stats.forEach(s => { if (s.type === 'local-candidate') lines.push(`local ${describe(s)} priority ${s.priority}`); });
          return lines.join('\n');
        }
        """, connection);

    /// <summary>What the listener's browser received and played (inbound-rtp), cumulative.</summary>
    public static async Task<InboundStats> InboundAsync(IPage page)
    {
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const stats = await window.listening.pc.getStats();
              let inbound = {};
              stats.forEach(s => { if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound = s; });
              return JSON.stringify({
                packetsReceived: inbound.packetsReceived ?? 0, totalAudioEnergy: inbound.totalAudioEnergy ?? 0,
                totalSamplesDuration: inbound.totalSamplesDuration ?? 0, jitterBufferDelay: inbound.jitterBufferDelay ?? 0,
                jitterBufferEmittedCount: inbound.jitterBufferEmittedCount ?? 0 });
            }
            """);
        return JsonSerializer.Deserialize<InboundStats>(json, JsonOptions)!;
    }

    public static Task StopAsync(IPage page) => page.EvaluateAsync("async () => { await window.broadcast.stop(); }");

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    [GeneratedRegex(@"^https://[^/]+/$")]
    public static partial Regex MainPage();
}
