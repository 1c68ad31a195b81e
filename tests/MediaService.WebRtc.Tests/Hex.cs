namespace AudioStream.MediaService.WebRtc.Tests;

internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
}
