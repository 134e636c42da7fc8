using System.Text;
using k8s.Models;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// Looks for secret material where it must never be. Every private key and credential is searched for in each
/// form a leak could take: the PEM body lines, the whole base64 body, the DER bytes as hex (either case), the
/// raw key bytes a PKCS#8 envelope wraps (as hex and base64), and a credential as written, as its decoded bytes
/// in hex, and base64-encoded again. Long forms are also cut into 32-character pieces, so a partial leak counts.
/// </summary>
public static class SecretScan
{
    private const int Piece = 32;

    /// <summary>The needles in a set of Secrets: the private keys of key Secrets (the rest of those is public), every value of the
    /// others.</summary>
    public static IReadOnlyList<string> Needles(IEnumerable<V1Secret> secrets) =>
        secrets
            .Select(s => (s.Data ?? new Dictionary<string, byte[]>()).Values.Select(v => Encoding.UTF8.GetString(v)).ToList())
            .SelectMany(values =>
                values.Any(IsPrivateKey)
                    ? values.Where(IsPrivateKey).SelectMany(KeyForms)
                    : values.Where(v => v.Length >= 8).SelectMany(CredentialForms)
            )
            .SelectMany(WithPieces)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>Where a needle (or a PEM header) was found: "source: needle prefix", empty when clean.</summary>
    public static IReadOnlyList<string> Hits(IReadOnlyList<string> needles, IEnumerable<(string Source, string Text)> haystacks) =>
        haystacks
            .SelectMany(h =>
                needles
                    .Where(n => h.Text.Contains(n, StringComparison.Ordinal))
                    .Select(n => $"{h.Source}: {n[..8]}...")
                    .Concat(h.Text.Contains("PRIVATE KEY", StringComparison.Ordinal) ? [$"{h.Source}: a PEM private key header"] : [])
            )
            .ToList();

    /// <summary>Every file under a directory, as a haystack named by its path.</summary>
    public static IEnumerable<(string Source, string Text)> Files(string directory) =>
        Directory.Exists(directory)
            ? Directory
                .EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Select(f => ($"file {Path.GetRelativePath(directory, f)}", File.ReadAllText(f)))
            : [];

    private static bool IsPrivateKey(string value) => value.Contains("PRIVATE KEY", StringComparison.Ordinal);

    private static IEnumerable<string> KeyForms(string pem)
    {
        var lines = pem.Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal))
            .ToList();
        var body = string.Concat(lines);
        var der = Convert.FromBase64String(body);
        foreach (var line in lines.Where(l => l.Length >= Piece))
        {
            yield return line;
        }

        yield return body;
        yield return Convert.ToHexString(der);
        yield return Convert.ToHexStringLower(der);

        // The key itself inside the PKCS#8 envelope: the last 32 bytes are an Ed25519 seed; for RSA they are the
        // end of the last CRT coefficient, secret all the same.
        var raw = der[^32..];
        yield return Convert.ToHexString(raw);
        yield return Convert.ToHexStringLower(raw);
        yield return Convert.ToBase64String(raw);
    }

    private static IEnumerable<string> CredentialForms(string value)
    {
        yield return value;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        var bytes = TryBase64(value) ?? Encoding.UTF8.GetBytes(value);
        yield return Convert.ToHexString(bytes);
        yield return Convert.ToHexStringLower(bytes);
    }

    private static byte[]? TryBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 8 ? buffer[..written] : null;
    }

    /// <summary>A form, and when it is long, its 32-character pieces.</summary>
    private static IEnumerable<string> WithPieces(string form)
    {
        yield return form;
        for (var i = 0; form.Length > 2 * Piece && i + Piece <= form.Length; i += Piece)
        {
            yield return form.Substring(i, Piece);
        }
    }
}
