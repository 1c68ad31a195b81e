using System.Globalization;

namespace AudioStream.MediaService.WebRtc.Sdp;

/// <summary>
/// Answers a WebRTC offer the way Chromium accepts from an ICE-lite, single-port server (the proven shape in
/// NOTES-WEBRTC): BUNDLE, ice-lite, one audio section mirroring mid and the Opus payload type, setup:passive,
/// rtcp-mux, our candidates. Other media sections are rejected with port 0 (RFC 8843 §7.3.3).
/// </summary>
public static class SdpAnswer
{
    public static SdpNegotiation Negotiate(SessionDescription offer, MediaDirection ourDirection)
    {
        MediaDescription? chosen = null;
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

    public static SessionDescription Create(SessionDescription offer, SdpNegotiation negotiation, SdpAnswerOptions options)
    {
        if (options.Candidates.Count == 0)
        {
            throw new ArgumentException("An answer needs at least one candidate.", nameof(options));
        }

        var chosen = negotiation.Media;
        string mid = chosen.Mid ?? "0";
        var first = options.Candidates[0];
        var answer = new SessionDescription
        {
            SessionId = options.SessionId.ToString(CultureInfo.InvariantCulture),
            IceLite = true,
            BundleMids = chosen.Mid is null ? [] : [mid],
        };
        answer.Attributes.Add("msid-semantic: WMS *");
        foreach (var media in offer.Media)
        {
            if (!ReferenceEquals(media, chosen))
            {
                // Rejected section: port 0, same formats, kept out of the BUNDLE group.
                answer.Media.Add(new MediaDescription
                {
                    Kind = media.Kind,
                    Port = 0,
                    Protocol = media.Protocol,
                    Formats = media.Formats,
                    ConnectionAddress = first.Address,
                    Mid = media.Mid,
                    Direction = MediaDirection.Inactive,
                });
                continue;
            }

            int pt = negotiation.OpusPayloadType;
            var audio = new MediaDescription
            {
                Kind = "audio",
                Port = first.Port,
                Protocol = "UDP/TLS/RTP/SAVPF",
                Formats = [pt.ToString(CultureInfo.InvariantCulture)],
                ConnectionAddress = first.Address,
                IceUfrag = options.IceUfrag,
                IcePwd = options.IcePwd,
                Fingerprint = options.Fingerprint,
                Setup = "passive",
                Mid = mid,
                Direction = options.Direction,
                Msid = options.Direction == MediaDirection.SendOnly ? $"audiostream audio{mid}" : null,
                RtcpMux = true,
                EndOfCandidates = true,
            };
            audio.RtpMaps[pt] = new SdpRtpMap(pt, "opus", 48000, negotiation.OpusChannels);
            audio.Fmtps[pt] = "minptime=10;useinbandfec=1"
                + (negotiation.Stereo && options.Direction != MediaDirection.RecvOnly ? ";stereo=1;sprop-stereo=1" : string.Empty);
            audio.Candidates.AddRange(options.Candidates);
            answer.Media.Add(audio);
        }

        return answer;
    }
}
