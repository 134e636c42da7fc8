using System.Text.Json;
using k8s;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Polling the API for a SendingDomain's outcome, as the end-to-end tests do; the bound fails the test.</summary>
internal static class SendingDomainWait
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static GenericClient Domains(ApiServer api) => new(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);

    /// <summary>The Ready condition as "Status/Reason", or empty.</summary>
    public static string Ready(SendingDomain sd) =>
        sd.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready") is { } c ? $"{c.Status}/{c.Reason}" : "";

    public static async Task<SendingDomain> UntilAsync(
        GenericClient domains,
        string ns,
        string name,
        Func<SendingDomain, bool> condition,
        string what,
        TimeSpan? bound = null
    )
    {
        var limit = bound ?? Bound;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var sd = await domains.ReadNamespacedAsync<SendingDomain>(ns, name);
            if (condition(sd))
            {
                return sd;
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"{ns}/{name}: {what} not reached within {limit}: {JsonSerializer.Serialize(sd.Status)}"
            );
            await Task.Delay(100); // polling the API for the outcome; the bound above fails the test
        }
    }

    /// <summary>Until <paramref name="count"/> SendingDomains in the namespace all meet the condition; returns them.</summary>
    public static async Task<IReadOnlyList<SendingDomain>> UntilAllAsync(
        GenericClient domains,
        string ns,
        int count,
        Func<SendingDomain, bool> condition,
        TimeSpan bound
    )
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var items = (await domains.ListNamespacedAsync<SendingDomainList>(ns)).Items;
            var met = items.Count(condition);
            if (met >= count)
            {
                return items.ToList();
            }

            Assert.True(
                DateTime.UtcNow < deadline,
                $"{met} of {count} in {ns} met the condition within {bound}; not: "
                    + $"{string.Join(", ", items.Where(i => !condition(i)).Take(5).Select(i => $"{i.Metadata.Name} {Ready(i)}"))}"
            );
            await Task.Delay(250); // polling the API for the outcome; the bound above fails the test
        }
    }

    /// <summary>
    /// Until the SendingDomain (every one in the namespace when <paramref name="name"/> is null) is gone: its
    /// finalizer ran and the API server removed it.
    /// </summary>
    public static async Task GoneAsync(GenericClient domains, string ns, string? name, TimeSpan? bound = null)
    {
        var limit = bound ?? Bound;
        var deadline = DateTime.UtcNow + limit;
        while ((await domains.ListNamespacedAsync<SendingDomainList>(ns)).Items.Any(sd => name is null || sd.Metadata.Name == name))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{ns}/{name ?? "*"} was not finalized within {limit}");
            await Task.Delay(100);
        }
    }
}
