namespace MailDns.Core.Dkim.Rotation;

/// <summary>
/// The life of a DKIM key. Staged (generated, private key saved) → Published (the publisher reported the record)
/// → Verified (the exact record seen at every authoritative nameserver) → Active (MTAs sign with it) → Retiring
/// (still published so that mail signed before the switch verifies) → Revoked (published with p= empty) →
/// Removing (record being deleted; the private key is kept until DNS shows the record gone) → deleted.
/// </summary>
public enum KeyPhase
{
    Staged,
    Published,
    Verified,
    Active,
    Retiring,
    Revoked,
    Removing,
}

public static class KeyPhases
{
    /// <summary>Pending keys: made for the next activation. At most one per series.</summary>
    public static bool IsPending(this KeyPhase phase) => phase is KeyPhase.Staged or KeyPhase.Published or KeyPhase.Verified;

    /// <summary>Keys whose record must be in DNS (revoked ones with p= empty).</summary>
    public static bool HasRecord(this KeyPhase phase) => phase != KeyPhase.Removing;
}
