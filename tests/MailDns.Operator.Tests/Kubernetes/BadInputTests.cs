using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Manifests;
using MailDns.Testing;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>
/// Bad input from users: every invalid manifest is refused with a message that names the field, either by the API
/// server's schema validation (422 with causes) or by the operator (Ready=False InvalidSpec), and the operator
/// neither crashes nor retries in a loop. A hand-damaged key Secret is reported and left untouched.
/// </summary>
public class BadInputTests(ITestOutputHelper output)
{
    private static readonly JsonObject ValidDomain = JsonNode
        .Parse(
            """
            {"apiVersion":"maildns.io/v1alpha1","kind":"SendingDomain","metadata":{"name":"valid","namespace":"bad"},
             "spec":{"domain":"mail.example.com","providerRef":{"name":"zone","kind":"DnsProvider"},"ttl":3600,
              "spf":{"ip4":["192.0.2.0/24"],"ip6":["2001:db8:25::/48"],"include":["_spf.esp.example.net"],"a":false,"mx":false,
                "all":"softfail"},
              "dkim":{"series":[{"algorithm":"ed25519-sha256","selectorPrefix":"ed"}],"rotation":{"interval":"90d",
                "propagationDelay":"1d","retireAfter":"7d","revokeFor":"7d"},"compromisedSelectors":["ed-old"]},
              "dmarc":{"policy":"quarantine","subdomainPolicy":"reject","nonExistentSubdomainPolicy":"reject",
                "aggregateReportUris":["mailto:dmarc@example.com"],
                       "failureReportUris":["mailto:ruf@example.com"],"dkimAlignment":"relaxed","spfAlignment":"relaxed",
                         "failureOptions":["1"],"testing":false},
              "mtaSts":{"id":"20260101"},"tlsRpt":{"reportUris":["mailto:tls@example.com"]},
              "bimi":{"selector":"default","logoUrl":"https://example.com/logo.svg"},
              "publish":{"mode":"apply","adopt":false},"healthCheck":{"schedule":"0 0/15 * * * ?","nameservers":["127.0.0.1:53"]},
                "deletionPolicy":"Retain"}}
            """
        )!
        .AsObject();

    private static readonly JsonObject ValidProvider = JsonNode
        .Parse(
            """
            {"apiVersion":"maildns.io/v1alpha1","kind":"DnsProvider","metadata":{"name":"zone","namespace":"bad"},
              "spec":{"zone":"example.com","zoneFile":{"path":"example.com.zone"}}}
            """
        )!
        .AsObject();

    /// <summary>Specs the schema lets through (or not) that the operator's rules refuse: (why, path, value, field the refusal
    /// names).</summary>
    private static IEnumerable<InvalidManifest> Semantic()
    {
        InvalidManifest Case(string why, string path, string json, string field) =>
            new(why, InvalidManifests.With(ValidDomain, path, JsonNode.Parse(json)), field);
        yield return Case("a domain outside the provider's zone", "spec.domain", "\"mail.example.net\"", "spec.domain");
        yield return Case(
            "11 SPF lookups",
            "spec.spf",
            """
            {"a":true,"mx":true,"include":["a.example","b.example","c.example","d.example","e.example","f.example","g.example",
              "h.example","i.example"]}
            """,
            "spec.spf"
        );
        yield return Case(
            "two series with one prefix",
            "spec.dkim.series",
            """[{"algorithm":"rsa-sha256","selectorPrefix":"k"},{"algorithm":"ed25519-sha256","selectorPrefix":"k"}]""",
            "spec.dkim.series"
        );
        yield return Case(
            "a size on an Ed25519 series",
            "spec.dkim.series",
            """[{"algorithm":"ed25519-sha256","size":2048,"selectorPrefix":"ed"}]""",
            "spec.dkim.series[0].size"
        );
        yield return Case("a propagation delay below the TTL", "spec.dkim.rotation.propagationDelay", "\"1m\"", "spec.dkim.rotation");
        yield return Case(
            "an interval no longer than the propagation delay",
            "spec.dkim.rotation.interval",
            "\"1d\"",
            "spec.dkim.rotation.interval"
        );
        yield return Case(
            "six fields that are not a cron expression",
            "spec.healthCheck.schedule",
            "\"a b c d e f\"",
            "spec.healthCheck.schedule"
        );
        yield return Case("an IPv4 address out of range", "spec.spf.ip4", """["999.1.1.1"]""", "spec.spf.ip4[0]");
        yield return Case("an IPv6 prefix longer than 128", "spec.spf.ip6", """["2001:db8::/129"]""", "spec.spf.ip6[0]");
        yield return Case(
            "a 512-bit RSA key",
            "spec.dkim.series",
            """[{"algorithm":"rsa-sha256","size":512,"selectorPrefix":"rsa"}]""",
            "spec.dkim.series[0].size"
        );
        yield return Case("all pass", "spec.spf.all", "\"pass\"", "spec.spf.all");
        yield return Case(
            "a report address without a mailbox",
            "spec.dmarc.aggregateReportUris",
            """["mailto:"]""",
            "spec.dmarc.aggregateReportUris[0]"
        );
        yield return Case(
            "a nameserver port out of range",
            "spec.healthCheck.nameservers",
            """["127.0.0.1:99999"]""",
            "spec.healthCheck.nameservers[0]"
        );
        yield return Case(
            "a retireAfter that is no duration",
            "spec.dkim.rotation.retireAfter",
            "\"forever\"",
            "spec.dkim.rotation.retireAfter"
        );
        yield return Case("a BIMI logo over plain http", "spec.bimi.logoUrl", "\"http://example.com/logo.svg\"", "spec.bimi.logoUrl");
        yield return Case("a TTL of 30 seconds", "spec.ttl", "30", "spec.ttl");
        yield return Case(
            "five DKIM series",
            "spec.dkim.series",
            """[{"selectorPrefix":"a"},{"selectorPrefix":"b"},{"selectorPrefix":"c"},{"selectorPrefix":"d"},{"selectorPrefix":"e"}]""",
            "spec.dkim.series"
        );
        yield return Case("an empty series list", "spec.dkim.series", "[]", "spec.dkim.series");
        yield return Case("a failure option outside 0, 1, d, s", "spec.dmarc.failureOptions", """["x"]""", "spec.dmarc.failureOptions[0]");
        yield return Case("a provider kind that does not exist", "spec.providerRef.kind", "\"Route53\"", "spec.providerRef.kind");
    }

    /// <summary>True when a finding's path is the field or inside it.</summary>
    private static bool Names(string? path, string field) =>
        path is not null
        && (
            path == field
            || path.StartsWith(field + ".", StringComparison.Ordinal)
            || path.StartsWith(field + "[", StringComparison.Ordinal)
        );

    [Fact]
    public async Task Over_two_hundred_invalid_manifests_are_all_refused_naming_the_field_and_the_operator_neither_crashes_nor_loops()
    {
        var cases = InvalidManifests
            .FromSchema("sendingdomains.maildns.io.yaml", ValidDomain)
            .Concat(InvalidManifests.FromSchema("dnsproviders.maildns.io.yaml", ValidProvider))
            .Concat(InvalidManifests.FromSchema("clusterdnsproviders.maildns.io.yaml", ClusterScoped(ValidProvider)))
            .Concat(Semantic())
            .ToList();
        Assert.True(cases.Count >= 200, $"only {cases.Count} invalid manifests");

        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bad" } });
        await CreateAsync(api, ValidProvider);
        await CreateAsync(api, ValidDomain); // the base of every case is valid
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, []), TimeProvider.System);
        var failures = new ConcurrentBag<string>();
        controller.Queue.Failed += (key, _, _, _) => failures.Add(key);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);

        var refusedBySchema = 0;
        var problems = new List<string>();
        var accepted = new List<(string Name, InvalidManifest Case)>();
        for (var i = 0; i < cases.Count; i++)
        {
            var manifest = (JsonObject)cases[i].Manifest.DeepClone();
            manifest["metadata"]!["name"] = $"bad-{i}";
            try
            {
                await CreateAsync(api, manifest);
                if ((string?)manifest["kind"] == "SendingDomain")
                {
                    accepted.Add(($"bad-{i}", cases[i]));
                }
                else
                {
                    problems.Add($"{cases[i].Why}: accepted by the API server");
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.UnprocessableEntity)
            {
                refusedBySchema++;
                var causes = JsonSerializer.Deserialize<V1Status>(e.Response.Content)!.Details.Causes;
                if (
                    !causes.Any(c =>
                        c.Field == cases[i].Field
                        || c.Field.StartsWith(cases[i].Field + ".", StringComparison.Ordinal)
                        || c.Field.StartsWith(cases[i].Field + "[", StringComparison.Ordinal)
                    )
                )
                {
                    problems.Add(
                        $"{cases[i].Why}: refused, but no cause names {cases[i].Field}: "
                            + $"{string.Join("; ", causes.Select(c => $"{c.Field}: {c.Message}"))}"
                    );
                }
            }
        }

        // The product's own validation (what `maildns validate` and a GitOps check run, with the CRDs it embeds)
        // must refuse every case too, naming the same field: the test API server's schema check is test code.
        var refusedByProduct = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var manifest = (JsonObject)cases[i].Manifest.DeepClone();
            var documents = new List<ManifestDocument>
            {
                new("case.yaml", 0, 1, manifest, null),
                new("provider.yaml", 0, 1, (JsonObject)ValidProvider.DeepClone(), null),
            };
            var findings = ManifestValidation
                .Default.Validate(documents)[0]
                .Findings.Where(f => f.Severity == Core.Findings.Severity.Error)
                .ToList();
            if (findings.Any(f => Names(f.Path, cases[i].Field)))
            {
                refusedByProduct++;
            }
            else
            {
                problems.Add(
                    $"{cases[i].Why}: `maildns validate` does not name {cases[i].Field}: "
                        + $"{string.Join("; ", findings.Select(f => $"{f.Path}: {f.Message}"))}"
                );
            }
        }

        var domains = SendingDomainWait.Domains(api);
        foreach (var (name, invalid) in accepted)
        {
            var sd = await SendingDomainWait.UntilAsync(
                domains,
                "bad",
                name,
                sd => SendingDomainWait.Ready(sd).StartsWith("False/", StringComparison.Ordinal),
                $"a refusal of {invalid.Why}"
            );
            var ready = sd.Status!.Conditions!.Single(c => c.Type == "Ready");
            if (ready.Reason != "InvalidSpec" || !ready.Message.Contains(invalid.Field, StringComparison.Ordinal))
            {
                problems.Add($"{invalid.Why}: {ready.Reason}: {ready.Message} (expected InvalidSpec naming {invalid.Field})");
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(2)); // a reconcile loop would show as more status writes; this is the window it gets
        Assert.False(running.IsCompleted, $"the controller stopped: {running.Exception}");
        var statusWrites = api
            .Host.Requests.Where(r =>
                r.Resource == "sendingdomains" && r.Subresource == "status" && r.Name!.StartsWith("bad-", StringComparison.Ordinal)
            )
            .ToList();
        await stop.CancelAsync();
        await running;

        Assert.Empty(problems);
        Assert.DoesNotContain(failures, k => k.StartsWith("bad/bad-", StringComparison.Ordinal)); // InvalidSpec waits for a change
        // One status write each: the refusal. The valid base is left out, its health checks write status as they run.
        Assert.Equal(
            accepted.Select(a => a.Name).Order(StringComparer.Ordinal),
            statusWrites.Select(r => r.Name!).Order(StringComparer.Ordinal)
        );
        Assert.Equal(cases.Count, refusedByProduct);
        output.WriteLine(
            $"{cases.Count} invalid manifests: {refusedBySchema} refused by the test API server's schema check (422 naming the field), "
                + $"{accepted.Count} reached the operator and were refused by it (InvalidSpec naming the field); {statusWrites.Count} "
                    + $"status writes to them; "
                + $"{refusedByProduct} of {cases.Count} refused by the product's own validation (maildns validate) naming the field"
        );
    }

    [Fact]
    public async Task A_hand_damaged_key_secret_is_reported_as_invalid_key_secret_and_left_untouched_until_it_is_mended()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        await api.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bad" } });
        await CreateAsync(api, ValidProvider);
        await CreateAsync(api, ValidDomain);
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, []), TimeProvider.System);
        var failures = 0;
        controller.Queue.Failed += (_, _, _, _) => Interlocked.Increment(ref failures);
        using var stop = new CancellationTokenSource();
        var running = controller.RunAsync(stop.Token);
        var domains = SendingDomainWait.Domains(api);
        await SendingDomainWait.UntilAsync(domains, "bad", "valid", sd => SendingDomainWait.Ready(sd) == "True/Published", "Ready");
        var good = await api.Client.CoreV1.ReadNamespacedSecretAsync("valid-dkim", "bad");

        var broken = await api.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(
                new JsonObject
                {
                    ["stringData"] = new JsonObject
                    {
                        [MtaKeyFiles.Manifest] =
                            """{"domain":"mail.example.com","keys":[{"series":"ed"}],"usedSelectors":[],"handledRotateRequests":{}}""",
                    },
                }.ToJsonString(),
                V1Patch.PatchType.MergePatch
            ),
            "valid-dkim",
            "bad"
        );
        var reported = await SendingDomainWait.UntilAsync(
            domains,
            "bad",
            "valid",
            sd => SendingDomainWait.Ready(sd) == "False/InvalidKeySecret",
            "InvalidKeySecret"
        );
        await Task.Delay(TimeSpan.FromSeconds(1)); // a retry loop, or a write to the Secret, would show in this window

        Assert.Contains("keys[0].selector is required", reported.Status!.Conditions!.Single(c => c.Type == "Ready").Message);
        Assert.Equal(
            broken.Metadata.ResourceVersion,
            (await api.Client.CoreV1.ReadNamespacedSecretAsync("valid-dkim", "bad")).Metadata.ResourceVersion
        );
        // the private keys are still there
        Assert.Contains(good.Data.Keys, k => k.EndsWith(".key", StringComparison.Ordinal) && broken.Data.ContainsKey(k));

        await api.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch(
                new JsonObject
                {
                    ["data"] = new JsonObject { [MtaKeyFiles.Manifest] = Convert.ToBase64String(good.Data[MtaKeyFiles.Manifest]) },
                }.ToJsonString(),
                V1Patch.PatchType.MergePatch
            ),
            "valid-dkim",
            "bad"
        );
        await SendingDomainWait.UntilAsync(
            domains,
            "bad",
            "valid",
            sd => SendingDomainWait.Ready(sd) == "True/Published",
            "recovery after the mend"
        );
        Assert.Equal(0, failures); // it waited for the Secret to change instead of retrying
        await stop.CancelAsync();
        await running;
    }

    private static JsonObject ClusterScoped(JsonObject provider)
    {
        var copy = (JsonObject)provider.DeepClone();
        copy["kind"] = "ClusterDnsProvider";
        copy["metadata"]!.AsObject().Remove("namespace");
        return copy;
    }

    private static Task CreateAsync(ApiServer api, JsonObject manifest) =>
        (string?)manifest["kind"] switch
        {
            "SendingDomain" => api.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                manifest,
                "maildns.io",
                "v1alpha1",
                "bad",
                "sendingdomains"
            ),
            "DnsProvider" => api.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
                manifest,
                "maildns.io",
                "v1alpha1",
                "bad",
                "dnsproviders"
            ),
            _ => api.Client.CustomObjects.CreateClusterCustomObjectAsync(manifest, "maildns.io", "v1alpha1", "clusterdnsproviders"),
        };
}
