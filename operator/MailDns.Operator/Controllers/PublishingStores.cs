using MailDns.Core.Names;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Publishing.Pulumi;
using MailDns.Operator.Reconcile;

namespace MailDns.Operator.Controllers;

/// <summary>
/// The record stores of the current term of leadership: a new term starts from what the API server says, not
/// from a past term's memory (a Pulumi stack's program is rebuilt from the statuses of its domains).
/// </summary>
public sealed class PublishingStores(ClusterCache cache, ProviderSecretCache secrets, ControllerOptions options, TimeProvider time)
{
    private ProviderStores? current;

    public ProviderStores Current => current ??= Create();

    public void Reset()
    {
        secrets.Clear();
        current = Create();
    }

    private ProviderStores Create()
    {
        var cli = new PulumiCli(options.PulumiExecutable);
        var stacks = new PulumiStacks(new PulumiPublisher(cli), PublishedToStack, options.PulumiWindow, options.PulumiParallel, time);
        return new ProviderStores(options.DataDirectory, secrets.Read, stacks);
    }

    /// <summary>What the domains on a stack published, as their statuses record it: where a stack's program starts.</summary>
    private List<DesiredRecord> PublishedToStack(string stack) =>
        cache
            .Domains.Values.Where(sd =>
                cache.ResolveProvider(sd) is { Pulumi: not null } provider && PulumiStack.NameFor(sd, provider) == stack
            )
            .SelectMany(sd =>
                (sd.Status?.Records ?? []).Select(r => new DesiredRecord(
                    DomainName.Normalize(r.Name),
                    r.Ttl,
                    r.Value,
                    DesiredRecord.PurposeFromText(r.Purpose),
                    sd.Key
                ))
            )
            .ToList();
}
