using System.Diagnostics;
using System.Globalization;

namespace AudioStream.MediaService.WebRtc.Tests;

/// <summary>
/// An nftables table of the test's own that drops UDP to one port of this machine (a network that blocks UDP, as far
/// as that port is concerned), removed on dispose. Needs root and <c>nft</c>; <see cref="TryCreate"/> says why not.
/// </summary>
public sealed class UdpPortBlock : IDisposable
{
    private readonly string _table;

    private UdpPortBlock(string table) => _table = table;

    public static UdpPortBlock? TryCreate(int port, out string? skipReason)
    {
        skipReason = null;
        if (Environment.UserName != "root" || !File.Exists("/usr/sbin/nft"))
        {
            skipReason = "dropping UDP needs root and nftables (/usr/sbin/nft)";
            return null;
        }

        string table = $"audiostream_test_{Environment.ProcessId}_{port}";
        string script = string.Create(CultureInfo.InvariantCulture,
            $"add table inet {table}\nadd chain inet {table} input {{ type filter hook input priority 0; policy accept; }}\nadd rule inet {table} input udp dport {port} drop\n");
        if (Nft(script) is { } error)
        {
            skipReason = $"nft refused the rule: {error}";
            return null;
        }

        return new UdpPortBlock(table);
    }

    public void Dispose() => Nft($"delete table inet {_table}\n");

    private static string? Nft(string script)
    {
        using var nft = Process.Start(new ProcessStartInfo("/usr/sbin/nft", "-f -")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        nft.StandardInput.Write(script);
        nft.StandardInput.Close();
        string error = nft.StandardError.ReadToEnd();
        nft.WaitForExit();
        return nft.ExitCode == 0 ? null : error.Trim();
    }
}
