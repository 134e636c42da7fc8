namespace MailDns.Core.Dkim;

/// <summary>
/// What record synthesis needs to know of a key: its selector, algorithm, the p= value, and whether the record
/// must be served revoked (p= empty). Never the private key.
/// </summary>
public sealed record DkimPublicKey(string Selector, DkimAlgorithm Algorithm, string PublicKey, bool Revoked = false)
{
    /// <summary>The key record in canonical tag order: v, k, p.</summary>
    public string RecordValue => $"v=DKIM1; k={Algorithm.KeyType()}; p={(Revoked ? "" : PublicKey)}";
}
