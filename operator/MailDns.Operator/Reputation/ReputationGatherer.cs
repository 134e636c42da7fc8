using System.Net;
using System.Net.Sockets;
using MailDns.Core.Reputation;

namespace MailDns.Operator.Reputation;

/// <summary>
/// Asks every list of the matching kind about every target, and each address's reverse DNS, through
/// <see cref="ReputationLookups"/> (cache and budget); the verdicts come from the pure <see cref="ListVerdict"/> and
/// <see cref="Fcrdns"/>. Questions run in parallel up to a bound; each list's rate spaces its own.
/// </summary>
public sealed class ReputationGatherer(ReputationLookups lookups, int parallel = 64)
{
    public async Task<IReadOnlyList<TargetResult>> CheckAsync(
        IReadOnlyList<string> targets,
        IReadOnlyList<Blocklist> lists,
        bool reverseDns,
        CancellationToken cancellationToken
    )
    {
        using var bound = new SemaphoreSlim(parallel, parallel);
        async Task<T> Bounded<T>(Func<Task<T>> ask)
        {
            await bound.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await ask().ConfigureAwait(false);
            }
            finally
            {
                bound.Release();
            }
        }

        var checks = targets
            .Select(async target =>
            {
                var kind = Targets.KindOf(target);
                var asked = lists
                    .Where(l => l.Kind == kind)
                    .Select(l => Bounded(() => lookups.AskListAsync(l, target, cancellationToken)))
                    .ToList();
                var fcrdns =
                    kind == ListKind.Ip && reverseDns
                        ? Bounded(() => FcrdnsAsync(Targets.AsAddress(target)!, cancellationToken))
                        : Task.FromResult<FcrdnsResult?>(null);
                var results = await Task.WhenAll(asked).ConfigureAwait(false);
                return new TargetResult(target, kind, results, await fcrdns.ConfigureAwait(false));
            })
            .ToList();
        return await Task.WhenAll(checks).ConfigureAwait(false);
    }

    /// <summary>PTR, then the forward addresses of each PTR name (A or AAAA by the address's family), then the pure verdict.</summary>
    public async Task<FcrdnsResult?> FcrdnsAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var ptr = await lookups.AskAsync(ListQueryName.Ptr(address), ReputationQuestion.Ptr, cancellationToken).ConfigureAwait(false);
        var type = address.AddressFamily == AddressFamily.InterNetwork ? ReputationQuestion.A : ReputationQuestion.Aaaa;
        var names = Fcrdns.Forwards(ptr);
        var answers = await Task.WhenAll(names.Select(n => lookups.AskAsync(n, type, cancellationToken))).ConfigureAwait(false);
        return Fcrdns.Judge(address, ptr, names.Zip(answers).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal));
    }
}
