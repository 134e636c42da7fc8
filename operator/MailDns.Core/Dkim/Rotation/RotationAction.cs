namespace MailDns.Core.Dkim.Rotation;

/// <summary>A step the rotation takes. Each carries the reason that goes to events and logs.</summary>
public abstract record RotationAction(string Selector, string Reason);

/// <summary>Generate a key and save it, private key included, before anything else sees it.</summary>
public sealed record GenerateKey(string Series, string Selector, DkimAlgorithm Algorithm, int Bits, DateTimeOffset? ForcedBy, string Reason)
    : RotationAction(Selector, Reason);

/// <summary>The record was seen, exactly, at every authoritative server.</summary>
public sealed record MarkVerified(string Selector, DateTimeOffset At, string Reason) : RotationAction(Selector, Reason);

/// <summary>MTAs sign with this key from now on; the series' previous active key starts retiring.</summary>
public sealed record Activate(string Selector, string? Replaces, string Reason) : RotationAction(Selector, Reason);

/// <summary>Stop signing with this active key (its series is gone from the spec); it stays published for retireAfter.</summary>
public sealed record Retire(string Selector, string Reason) : RotationAction(Selector, Reason);

/// <summary>Publish the record with p= empty.</summary>
public sealed record Revoke(string Selector, bool Compromised, string Reason) : RotationAction(Selector, Reason);

/// <summary>Delete the record; the private key stays until DNS shows the record gone.</summary>
public sealed record BeginRemoval(string Selector, string Reason) : RotationAction(Selector, Reason);

/// <summary>The record is gone from every authoritative server: delete the private key.</summary>
public sealed record DeleteKey(string Selector, string Reason) : RotationAction(Selector, Reason);

/// <summary>Make DNS match the key state (new records, revocations, removals).</summary>
public sealed record PublishRecords(string Reason) : RotationAction("", Reason);

public sealed record RotationDecision(
    IReadOnlyList<RotationAction> Actions,
    DateTimeOffset? NextDecisionAt,
    IReadOnlyList<string> AwaitingDns
)
{
    public bool NeedsPublish => Actions.OfType<PublishRecords>().Any();
}
