using System.Net;

namespace AudioStream.Gateway.Extensions;

/// <summary>
/// <c>/install-ca</c>: how to make a phone or laptop trust this installation's local CA, so that
/// <c>https://&lt;address&gt;:8443</c> opens without a warning (and the browser allows the microphone).
/// </summary>
internal static class InstallCaPage
{
    /// <param name="fingerprint">The CA certificate's SHA-256 fingerprint; null when the server needs no local CA.</param>
    public static string Render(string? fingerprint) => fingerprint is null
        ? Page("""
            <p>This server's certificate comes from a public certificate authority that your device already trusts.
            There is nothing to install: open the app over <code>https://</code>.</p>
            """)
        : Page($"""
            <p>This AudioStream server made its own certificate authority (CA). Trust it once on each device and
            <code>https://&lt;this machine's address&gt;:8443</code> opens without a warning; browsers only let
            a page use the microphone over a trusted connection.</p>
            <p><a class="button button-primary" href="/ca.crt" download="audiostream-ca.crt">Download the CA certificate</a></p>
            <p>Before trusting it, check that its SHA-256 fingerprint (shown by your device or browser) is
            <br><code id="ca-fingerprint">{WebUtility.HtmlEncode(fingerprint)}</code></p>

            <h2 id="android">Android</h2>
            <ol>
              <li>Download the certificate above.</li>
              <li>Settings → Security &amp; privacy → More security settings → Encryption &amp; credentials →
                Install a certificate → <strong>CA certificate</strong> → Install anyway → pick <code>audiostream-ca.crt</code>.</li>
              <li>Chrome uses it at once. Firefox for Android: Settings → About Firefox, tap the logo five times, then
                Settings → Secret settings → <em>Use third party CA certificates</em>.</li>
            </ol>

            <h2 id="ios">iPhone and iPad</h2>
            <ol>
              <li>Open this page in Safari and download the certificate; allow the configuration profile.</li>
              <li>Settings → General → VPN &amp; Device Management → <em>AudioStream local CA</em> → Install.</li>
              <li>Settings → General → About → Certificate Trust Settings → turn on full trust for <em>AudioStream local CA</em>.</li>
            </ol>

            <h2 id="macos">macOS</h2>
            <ol>
              <li>Download the certificate and open it: Keychain Access adds it to your login keychain.</li>
              <li>Double-click <em>AudioStream local CA</em> → Trust → When using this certificate: <strong>Always Trust</strong>.</li>
              <li>Or in a terminal: <code>sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain audiostream-ca.crt</code></li>
            </ol>

            <h2 id="windows">Windows</h2>
            <ol>
              <li>Download the certificate and open it → Install Certificate → Current User.</li>
              <li>Place all certificates in: <strong>Trusted Root Certification Authorities</strong> → Finish → Yes.</li>
              <li>Or in a terminal: <code>certutil -user -addstore Root audiostream-ca.crt</code>. Chrome and Edge use it; restart them.</li>
            </ol>

            <h2 id="linux">Linux (Chrome, Chromium)</h2>
            <ol>
              <li>Chrome: Settings → Privacy and security → Security → Manage certificates → Authorities → Import,
                tick <em>Trust this certificate for identifying websites</em>.</li>
              <li>Or in a terminal (package <code>libnss3-tools</code>):
                <code>certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n "AudioStream local CA" -i audiostream-ca.crt</code></li>
            </ol>

            <h2 id="firefox">Firefox (desktop)</h2>
            <ol>
              <li>Settings → Privacy &amp; Security → Certificates → View Certificates → Authorities → Import.</li>
              <li>Tick <em>Trust this CA to identify websites</em>.</li>
            </ol>

            <p>Then open <code>https://&lt;this machine's address&gt;:8443</code> again. Only install a CA you expect:
            whoever holds its key can impersonate any site to this device. The key never leaves the AudioStream server.</p>
            """);

    private static string Page(string body) => $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>Trust this server · AudioStream</title>
          <link rel="stylesheet" href="/css/site.css">
        </head>
        <body class="auth-page">
          <main class="auth-card">
            <p class="brand"><span class="brand-mark" aria-hidden="true"></span>AudioStream</p>
            <h1>Trust this server</h1>
        {body}
          </main>
        </body>
        </html>
        """;
}
