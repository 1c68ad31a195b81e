namespace AudioStream.MediaService.WebRtc.Stun;

/// <summary>Where one attribute's value lies in the message.</summary>
public readonly record struct StunAttributeSpan(ushort Type, int ValueOffset, int ValueLength);
