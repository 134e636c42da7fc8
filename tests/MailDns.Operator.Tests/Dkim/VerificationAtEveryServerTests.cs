using System.Net;
using MailDns.Core.Api;
using MailDns.Operator.Dns;
using MailDns.Operator.Manifests;
using MailDns.Operator.Reconcile;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Dkim;

/// <summary>
/// Design invariant 1 as shipped: with no --nameserver (the default deployment), a key published over RFC 2136 is
/// verified at every authoritative server of the zone, found through the resolver (SOA, NS, addresses), and a
/// secondary that has not caught up holds activation back. Real BIND for the primary, the secondary and the resolver.
/// </summary>
public class VerificationAtEveryServerTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The zone's NS set names ns1 (127.0.0.1) and ns2 (127.0.0.2), both on port 53 in DNS; the test servers listen on
    /// high ports of 127.0.0.1, so the discovered addresses are mapped to them. Nothing is sent to 127.0.0.2.
    /// </summary>
    private sealed class PortMap(IZoneServerFinder inner, IReadOnlyDictionary<IPAddress, IPEndPoint> map) : IZoneServerFinder
    {
        public List<ZoneServers> Found { get; } = [];

        public async Task<ZoneServers> FindAsync(string domain, CancellationToken cancellationToken)
        {
            var found = await inner.FindAsync(domain, cancellationToken);
            Found.Add(found);
            return found with { Servers = found.Servers.Select(s => map[s.Address]).ToList() };
        }
    }

    [Fact]
    public async Task A_lagging_secondary_holds_activation_back_until_it_serves_the_key()
    {
        const string ns = "@ IN NS ns2.example.org.\nns2 IN A 127.0.0.2\n";
        using var primary = new BindServer([("example.org", ns)]);
        using var secondary = new BindServer([("example.org", ns)]);
        using var resolver = new ResolverServer([("example.org", primary)]);
        using var state = new TempDir();
        using var manifests = new TempDir();
        manifests.Write(
            "all.yaml",
            $$"""
            apiVersion: v1
            kind: Secret
            metadata: {name: tsig, namespace: mail}
            stringData: {secret: "{{primary.Secret}}"}
            ---
            apiVersion: maildns.io/v1alpha1
            kind: DnsProvider
            metadata: {name: bind, namespace: mail}
            spec:
              zone: example.org
              rfc2136:
                server: "127.0.0.1:{{primary.Port}}"
                tsigKeyName: {{primary.KeyName}}
                tsigAlgorithm: hmac-sha256
                tsigSecretRef: {name: tsig, key: secret}
            ---
            apiVersion: maildns.io/v1alpha1
            kind: SendingDomain
            metadata: {name: news, namespace: mail}
            spec:
              domain: news.example.org
              providerRef: {name: bind}
              dkim:
                rotation: {propagationDelay: 1h}
                series: [{algorithm: ed25519-sha256, selectorPrefix: ed}]
            """
        );
        var time = new FakeTimeProvider(Start);
        var finder = new PortMap(
            new ResolverZoneServerFinder([resolver.Endpoint]),
            new Dictionary<IPAddress, IPEndPoint>
            {
                [IPAddress.Parse("127.0.0.1")] = primary.Endpoint,
                [IPAddress.Parse("127.0.0.2")] = secondary.Endpoint,
            }
        );
        var documents = ManifestLoader.Load([manifests.Path]);
        var validated = ManifestValidation.Default.Validate(documents);
        Assert.All(validated, v => Assert.True(v.Valid, string.Join("; ", v.Findings)));
        var resources = validated.Select(v => v.Resource).OfType<k8s.IKubernetesObject>().ToList();
        var domain = resources.OfType<SendingDomain>().Single();
        // No nameservers: the default deployment's flags.
        var reconciler = new StandaloneReconciler(state.Path, [], time, finder);

        async Task<DkimKeyStatus> StepAsync()
        {
            var reconciled = await reconciler.ReconcileAsync(domain, resources, documents, CancellationToken.None);
            return Assert.Single(reconciled.Status!.Dkim!.Keys!);
        }

        var key = await StepAsync();
        for (var hour = 1; hour <= 6; hour++)
        {
            time.Advance(TimeSpan.FromHours(1));
            key = await StepAsync();
            Assert.NotEqual("Active", key.Phase); // the secondary does not serve it: never verified, never signing
        }

        var found = finder.Found[^1];
        Assert.Equal("example.org", found.Zone);
        Assert.Equal(2, found.Servers.Count);

        // The secondary catches up (the record as the primary serves it); one propagation delay later the key signs.
        var served = primary.Client().Query($"{key.Selector}._domainkey.news.example.org", DnsClient.QueryType.TXT);
        var value = string.Concat(served.Answers.TxtRecords().Single().Text);
        secondary.Update($"update add {key.Selector}._domainkey.news.example.org. 300 TXT \"{value}\"\n");
        for (var hour = 1; hour <= 3 && key.Phase != "Active"; hour++)
        {
            time.Advance(TimeSpan.FromHours(1));
            key = await StepAsync();
        }

        Assert.Equal("Active", key.Phase);
    }
}
