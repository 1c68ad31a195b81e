namespace AudioStream.MediaService.WebRtc.Stun;

/// <summary>STUN message types used by ICE (RFC 8489 §5: method and class bits interleaved).</summary>
public static class StunMessageType
{
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingIndication = 0x0011;
    public const ushort BindingSuccessResponse = 0x0101;
    public const ushort BindingErrorResponse = 0x0111;
}
