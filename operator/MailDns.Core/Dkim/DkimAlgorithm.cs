namespace MailDns.Core.Dkim;

public enum DkimAlgorithm
{
    RsaSha256,
    Ed25519Sha256,
}

public static class DkimAlgorithmText
{
    public const string RsaSha256 = "rsa-sha256";
    public const string Ed25519Sha256 = "ed25519-sha256";

    public static DkimAlgorithm Parse(string? text) =>
        text switch
        {
            null or RsaSha256 => DkimAlgorithm.RsaSha256,
            Ed25519Sha256 => DkimAlgorithm.Ed25519Sha256,
            _ => throw new ArgumentException($"unknown DKIM algorithm '{text}' (rsa-sha256 or ed25519-sha256)", nameof(text)),
        };

    public static bool TryParse(string? text, out DkimAlgorithm algorithm)
    {
        algorithm = DkimAlgorithm.RsaSha256;
        if (text is not (null or RsaSha256 or Ed25519Sha256))
        {
            return false;
        }

        algorithm = Parse(text);
        return true;
    }

    public static string ToText(this DkimAlgorithm algorithm) => algorithm == DkimAlgorithm.RsaSha256 ? RsaSha256 : Ed25519Sha256;

    /// <summary>The k= value of the key record.</summary>
    public static string KeyType(this DkimAlgorithm algorithm) => algorithm == DkimAlgorithm.RsaSha256 ? "rsa" : "ed25519";
}
