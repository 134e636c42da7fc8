namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// One key as the operator remembers it. Never holds the private key: that lives only in the key store, under
/// the same selector. A selector's public key never changes once created.
/// </summary>
public sealed record DkimKey(
    string Selector,
    string Series,
    DkimAlgorithm Algorithm,
    int Bits,
    string PublicKey,
    KeyPhase Phase,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt = null,
    DateTimeOffset? VerifiedAt = null,
    DateTimeOffset? ActivatedAt = null,
    DateTimeOffset? RetiringAt = null,
    DateTimeOffset? RevokedAt = null,
    bool Compromised = false,
    DateTimeOffset? WithdrawnAt = null
)
{
    public DkimPublicKey ToPublicKey() => new(Selector, Algorithm, PublicKey, Revoked: Phase == KeyPhase.Revoked);

    public string Fingerprint => DkimKeyMaterial.FingerprintOf(PublicKey);
}
