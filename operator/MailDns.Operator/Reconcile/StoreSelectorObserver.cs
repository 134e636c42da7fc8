using MailDns.Core.Dkim.Rotation;
using MailDns.Operator.Publishing;

namespace MailDns.Operator.Reconcile;

/// <summary>
/// What a record store serves at each selector, for standalone runs without a nameserver: the zone file is then
/// the authoritative data itself, so reading it is the verification.
/// </summary>
public sealed class StoreSelectorObserver(IRecordStore store, string storeName, TimeProvider time) : ISelectorObserver
{
    public async Task<IReadOnlyDictionary<string, SelectorObservation>> ObserveAsync(
        string domain,
        IReadOnlyList<DkimKey> keys,
        CancellationToken cancellationToken
    )
    {
        var names = keys.Select(k => $"{k.Selector}._domainkey.{domain}").ToList();
        var served = await store.ReadAsync(names, cancellationToken).ConfigureAwait(false);
        return keys.ToDictionary(
            k => k.Selector,
            k =>
            {
                var values = served.TryGetValue($"{k.Selector}._domainkey.{domain}", out var v) ? v : [];
                var answer = new ServerAnswer(storeName, values.Select(value => (IReadOnlyList<string>)[value]).ToList());
                return new SelectorObservation(k.Selector, SelectorClassifier.Classify(k, [answer]), time.GetUtcNow());
            }
        );
    }
}
