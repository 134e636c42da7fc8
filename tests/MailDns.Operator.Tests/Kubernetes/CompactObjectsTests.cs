using CsCheck;
using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Kubernetes;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>What the informers' caches keep: each string value once, and the objects exactly as read.</summary>
public class CompactObjectsTests
{
    /// <summary>A SendingDomain as the API server returns it: defaults filled in, a status with a condition, labels.</summary>
    private static SendingDomain Read(string name, string domain, string message = "spec.providerRef: DnsProvider 'zone' was not found") =>
        KubernetesJson.Deserialize<SendingDomain>(
            $$$"""
            {"apiVersion":"maildns.io/v1alpha1","kind":"SendingDomain",
             "metadata":{"name":"{{{name}}}","namespace":"mail","resourceVersion":"{{{name.Length}}}7",
                         "labels":{"app.kubernetes.io/part-of":"mail"},"finalizers":["maildns.io/records"]},
             "spec":{"domain":"{{{domain}}}","providerRef":{"kind":"DnsProvider","name":"zone"},
                     "spf":{"include":["_spf.example.net"],"ip4":["192.0.2.{{{name.Length}}}"],"all":"fail"},
                     "dkim":{"algorithm":"ed25519-sha256"},
                     "dmarc":{"policy":"reject","aggregateReportUris":["mailto:dmarc@example.net"]}},
             "status":{"conditions":[{"type":"Ready","status":"False","reason":"ProviderNotFound",
                                      "message":"{{{message}}}","lastTransitionTime":"2026-12-07T00:00:00Z"}]}}
            """
        );

    [Fact]
    public void Two_domains_read_apart_share_every_string_value_they_have_in_common()
    {
        var strings = new SharedStrings();
        var first = CompactObjects.Compact(Read("a", "a.example.org"), strings);
        var second = CompactObjects.Compact(Read("b", "b.example.org"), strings);

        Assert.Same(first.ApiVersion, second.ApiVersion);
        Assert.Same(first.Metadata.NamespaceProperty, second.Metadata.NamespaceProperty);
        Assert.Same(first.Metadata.Finalizers[0], second.Metadata.Finalizers[0]);
        Assert.Same(first.Metadata.Labels.Keys.Single(), second.Metadata.Labels.Keys.Single());
        Assert.Same(first.Metadata.Labels.Values.Single(), second.Metadata.Labels.Values.Single());
        Assert.Same(first.Spec.ProviderRef.Name, second.Spec.ProviderRef.Name);
        Assert.Same(first.Spec.Spf!.Include![0], second.Spec.Spf!.Include![0]);
        Assert.Same(first.Spec.Dmarc!.AggregateReportUris![0], second.Spec.Dmarc!.AggregateReportUris![0]);
        Assert.Same(first.Status!.Conditions![0].Reason, second.Status!.Conditions![0].Reason);
        Assert.Same(first.Status.Conditions[0].Message, second.Status.Conditions[0].Message);
        Assert.NotSame(first.Spec.Domain, second.Spec.Domain);
    }

    [Fact]
    public void A_compacted_domain_serializes_exactly_as_the_one_read()
    {
        var strings = new SharedStrings();
        _ = CompactObjects.Compact(Read("a", "a.example.org"), strings); // the pool already holds this one's values

        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], Gen.String[Gen.Char.AlphaNumeric, 0, 40])
            .Sample(
                (label, message) =>
                {
                    var read = Read(label.ToLowerInvariant(), $"{label}.example.org", message);
                    var before = KubernetesJson.Serialize(read);
                    return KubernetesJson.Serialize(CompactObjects.Compact(read, strings)) == before;
                },
                iter: 2_000
            );
    }

    [Fact]
    public void A_list_of_strings_keeps_no_spare_room()
    {
        var domain = CompactObjects.Compact(Read("a", "a.example.org"), new SharedStrings());

        var include = Assert.IsType<List<string>>(domain.Spec.Spf!.Include);
        Assert.Equal(include.Count, include.Capacity);
    }

    [Fact]
    public void Objects_built_in_code_with_arrays_and_without_status_are_compacted_too()
    {
        var strings = new SharedStrings();
        SendingDomain Built(string name) =>
            new()
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = new string("mail".AsSpan()) },
                Spec = new SendingDomainSpec
                {
                    Domain = $"{name}.example.org",
                    Spf = new SpfSpec { Include = [new string("_spf.example.net".AsSpan())] },
                },
            };

        var first = CompactObjects.Compact(Built("a"), strings);
        var second = CompactObjects.Compact(Built("b"), strings);

        Assert.Same(first.Metadata.NamespaceProperty, second.Metadata.NamespaceProperty);
        Assert.Same(first.Spec.Spf!.Include![0], second.Spec.Spf!.Include![0]);
        Assert.Null(second.Status);
    }
}
