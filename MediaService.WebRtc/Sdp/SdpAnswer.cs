using System.Globalization;
using System.Net;
using System.Text;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>What our side of the session is.</summary>
public sealed record SdpAnswerOptions(
    MediaDirection Direction,
    string IceUfrag,
    string IcePwd,
    SdpFingerprint Fingerprint,
    string AdvertisedAddress,
    int Port,
    ulong SessionId);

/// <summary>The media section we accepted: what the endpoint needs to run it.</summary>
public sealed record SdpNegotiation(
    SdpMediaDescription Media,
    int OpusPayloadType,
    int OpusChannels,
    bool Stereo,
    string RemoteUfrag,
    string RemotePwd,
    SdpFingerprint RemoteFingerprint);

/// <summary>
/// Builds the answer Chromium accepts from an ICE-lite, single-port server (the proven shape in NOTES-WEBRTC):
/// BUNDLE, ice-lite, one audio section mirroring mid and the Opus payload type, setup:passive, rtcp-mux,
/// one host candidate, CRLF line endings. Other media sections are rejected with port 0 (RFC 8843 §7.3.3).
/// </summary>
public static class SdpAnswer
{
    public static SdpNegotiation Negotiate(SdpOffer offer, MediaDirection ourDirection)
    {
        SdpMediaDescription? chosen = null;
        foreach (var media in offer.Media)
        {
            if (media.Kind == "audio" && media.Port != 0 && media.Opus is not null)
            {
                chosen = media;
                break;
            }
        }

        if (chosen is null)
        {
            throw new SdpParseException(offer.Media.Exists(m => m.Kind == "audio")
                ? "the audio section offers no Opus (opus/48000) payload type"
                : "the offer has no audio section");
        }

        if (!chosen.Protocol.Contains("SAVPF", StringComparison.Ordinal) && !chosen.Protocol.Contains("SAVP", StringComparison.Ordinal))
        {
            throw new SdpParseException($"the audio section's protocol '{chosen.Protocol}' is not DTLS-SRTP");
        }

        var remoteDirection = chosen.Direction;
        bool compatible = ourDirection switch
        {
            MediaDirection.RecvOnly => remoteDirection is MediaDirection.SendOnly or MediaDirection.SendRecv,
            MediaDirection.SendOnly => remoteDirection is MediaDirection.RecvOnly or MediaDirection.SendRecv,
            _ => true,
        };
        if (!compatible)
        {
            throw new SdpParseException(
                $"the offer's audio is {remoteDirection.ToString().ToLowerInvariant()}, which cannot be answered {ourDirection.ToString().ToLowerInvariant()}");
        }

        var ufrag = offer.UfragFor(chosen) ?? throw new SdpParseException("the offer has no ice-ufrag");
        var pwd = offer.PwdFor(chosen) ?? throw new SdpParseException("the offer has no ice-pwd");
        var fingerprint = offer.FingerprintFor(chosen) ?? throw new SdpParseException("the offer has no DTLS fingerprint");
        var setup = offer.SetupFor(chosen);
        if (setup is not null && setup != "actpass" && setup != "active")
        {
            throw new SdpParseException($"the offer's setup:{setup} leaves us no DTLS server role");
        }

        var opus = chosen.Opus!;
        bool stereo = chosen.Fmtps.TryGetValue(opus.PayloadType, out var fmtp)
            && fmtp.Split(';').Any(p => p.Trim().Equals("stereo=1", StringComparison.Ordinal));
        return new SdpNegotiation(chosen, opus.PayloadType, opus.Channels, stereo, ufrag, pwd, fingerprint);
    }

    public static string Build(SdpOffer offer, SdpNegotiation negotiation, SdpAnswerOptions options)
    {
        var chosen = negotiation.Media;
        string mid = chosen.Mid ?? "0";
        var sb = new StringBuilder(1024);
        void Line(string text) => sb.Append(text).Append("\r\n");
        string address = options.AdvertisedAddress;
        string ipVersion = IPAddress.TryParse(address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        string port = options.Port.ToString(CultureInfo.InvariantCulture);

        Line("v=0");
        Line($"o=- {options.SessionId.ToString(CultureInfo.InvariantCulture)} 2 IN IP4 127.0.0.1");
        Line("s=-");
        Line("t=0 0");
        if (chosen.Mid is not null)
        {
            Line($"a=group:BUNDLE {mid}");
        }

        Line("a=ice-lite");
        Line("a=msid-semantic: WMS *");
        foreach (var media in offer.Media)
        {
            if (!ReferenceEquals(media, chosen))
            {
                // Rejected section: port 0, same formats, kept out of the BUNDLE group.
                Line($"m={media.Kind} 0 {media.Protocol} {(media.Formats.Count > 0 ? string.Join(' ', media.Formats) : "0")}");
                Line($"c=IN {ipVersion} {address}");
                if (media.Mid is not null)
                {
                    Line($"a=mid:{media.Mid}");
                }

                Line("a=inactive");
                continue;
            }

            int pt = negotiation.OpusPayloadType;
            Line($"m=audio {port} UDP/TLS/RTP/SAVPF {pt.ToString(CultureInfo.InvariantCulture)}");
            Line($"c=IN {ipVersion} {address}");
            Line($"a=ice-ufrag:{options.IceUfrag}");
            Line($"a=ice-pwd:{options.IcePwd}");
            Line($"a=fingerprint:{options.Fingerprint}");
            Line("a=setup:passive");
            Line($"a=mid:{mid}");
            Line(options.Direction switch
            {
                MediaDirection.RecvOnly => "a=recvonly",
                MediaDirection.SendOnly => "a=sendonly",
                MediaDirection.Inactive => "a=inactive",
                _ => "a=sendrecv",
            });
            if (options.Direction == MediaDirection.SendOnly)
            {
                Line($"a=msid:audiostream audio{mid}");
            }

            Line("a=rtcp-mux");
            Line($"a=rtpmap:{pt.ToString(CultureInfo.InvariantCulture)} opus/48000/{negotiation.OpusChannels.ToString(CultureInfo.InvariantCulture)}");
            Line($"a=fmtp:{pt.ToString(CultureInfo.InvariantCulture)} minptime=10;useinbandfec=1{(negotiation.Stereo && options.Direction != MediaDirection.RecvOnly ? ";stereo=1;sprop-stereo=1" : string.Empty)}");
            Line($"a=candidate:1 1 udp 2130706431 {address} {port} typ host");
            Line("a=end-of-candidates");
        }

        return sb.ToString();
    }
}
