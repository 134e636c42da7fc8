namespace MailDns.Core.Dkim.Rotation;

/// <summary>Makes DNS match the keys: a record for every key that has one (revoked ones with p= empty), none for keys being
/// removed.</summary>
public interface IDkimPublisher
{
    Task PublishAsync(string domain, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken);
}

/// <summary>Asks every authoritative nameserver what it serves at each key's selector.</summary>
public interface ISelectorObserver
{
    Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(
        string domain,
        IReadOnlyList<DkimKey> keys,
        CancellationToken cancellationToken
    );
}
