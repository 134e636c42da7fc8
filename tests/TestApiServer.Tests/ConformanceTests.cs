using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Testing;

namespace MailDns.TestApiServer.Tests;

/// <summary>Each behaviour the operator depends on, through KubernetesClient over HTTP, as on a real cluster.</summary>
public class ConformanceTests
{
    private static SendingDomain Domain(string name = "news") =>
        new()
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = "default",
                Labels = new Dictionary<string, string> { ["team"] = "mail" },
            },
            Spec = new SendingDomainSpec
            {
                Domain = "news.example.com",
                ProviderRef = new ProviderRef { Name = "zone" },
                Spf = new SpfSpec { Ip4 = ["192.0.2.1"] },
            },
        };

    private static V1Status StatusOf(HttpOperationException e) => JsonSerializer.Deserialize<V1Status>(e.Response.Content)!;

    [Fact]
    public async Task Creating_a_crd_serves_its_group_and_kind_in_discovery()
    {
        await using var server = await Server.StartAsync();

        var resources = await server.Client.CustomObjects.GetAPIResourcesAsync("maildns.io", "v1alpha1");
        var sd = resources.Resources.Single(r => r.Name == "sendingdomains");

        Assert.True(sd.Namespaced);
        Assert.Equal("SendingDomain", sd.Kind);
        Assert.Equal(["sd"], sd.ShortNames);
        Assert.Equal(["mail", "maildns"], sd.Categories);
        Assert.Contains(resources.Resources, r => r.Name == "sendingdomains/status");
        Assert.Contains(resources.Resources, r => r.Name == "clusterdnsproviders" && !r.Namespaced);
        var crd = await server.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("sendingdomains.maildns.io");
        Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
    }

    [Fact]
    public async Task A_created_object_gets_uid_timestamps_generation_a_resource_version_and_its_schema_defaults()
    {
        await using var server = await Server.StartAsync();

        var created = await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.Equal(3600, created.Spec.Ttl);
        Assert.Equal("DnsProvider", created.Spec.ProviderRef.Kind);
        Assert.Equal("softfail", created.Spec.Spf!.All);
        Assert.Equal("Retain", created.Spec.DeletionPolicy);
        Assert.Equal("apply", created.Spec.Publish!.Mode);
    }

    [Fact]
    public async Task Generate_name_gives_a_unique_name()
    {
        await using var server = await Server.StartAsync();
        var sd = Domain();
        sd.Metadata.Name = null;
        sd.Metadata.GenerateName = "news-";

        var a = await server.SendingDomains.CreateNamespacedAsync(sd, "default");
        var b = await server.SendingDomains.CreateNamespacedAsync(sd, "default");

        Assert.StartsWith("news-", a.Metadata.Name, StringComparison.Ordinal);
        Assert.NotEqual(a.Metadata.Name, b.Metadata.Name);
    }

    [Fact]
    public async Task Changing_spec_domain_is_refused_by_the_crds_transition_rule_and_nothing_changes()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        // The CRD's x-kubernetes-validations rule "self == oldSelf" on spec.domain, as kube-apiserver evaluates it.
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""{"spec":{"domain":"other.example.com"}}""", V1Patch.PatchType.MergePatch),
                "default",
                "news"
            )
        );

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var cause = Assert.Single(StatusOf(e).Details.Causes);
        Assert.Equal("spec.domain", cause.Field);
        Assert.Contains("spec.domain is immutable", cause.Message, StringComparison.Ordinal);
        var stored = await server.SendingDomains.ReadNamespacedAsync<SendingDomain>("default", "news");
        Assert.Equal("news.example.com", stored.Spec.Domain);

        // Other changes still pass the rule.
        await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"ttl":600}}""", V1Patch.PatchType.MergePatch),
            "default",
            "news"
        );
    }

    [Fact]
    public async Task A_cel_rule_is_evaluated_on_create_and_its_message_is_the_cause()
    {
        await using var server = await Server.StartAsync();
        var sd = Domain();
        sd.Spec.Dkim = new DkimSpec
        {
            Series =
            [
                new DkimSeriesSpec
                {
                    Algorithm = "ed25519-sha256",
                    Size = 2048,
                    SelectorPrefix = "ed",
                },
            ],
        };

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => server.SendingDomains.CreateNamespacedAsync(sd, "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains(
            StatusOf(e).Details.Causes,
            c =>
                c.Field == "spec.dkim.series[0].size"
                && c.Message.Contains("size applies only to rsa-sha256 keys", StringComparison.Ordinal)
        );
    }

    [Fact]
    public async Task An_invalid_object_is_refused_with_422_and_causes_that_name_the_fields()
    {
        await using var server = await Server.StartAsync();
        var sd = Domain();
        sd.Spec.Ttl = 5;
        sd.Spec.Spf!.All = "pass";

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => server.SendingDomains.CreateNamespacedAsync(sd, "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        var status = StatusOf(e);
        Assert.Equal("Invalid", status.Reason);
        Assert.Contains(
            status.Details.Causes,
            c => c.Field == "spec.ttl" && c.Message.Contains("greater than or equal to 60", StringComparison.Ordinal)
        );
        Assert.Contains(status.Details.Causes, c => c.Field == "spec.spf.all" && c.Reason == "FieldValueNotSupported");
    }

    [Fact]
    public async Task An_update_with_a_stale_resource_version_is_a_409_conflict()
    {
        await using var server = await Server.StartAsync();
        var created = await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");
        created.Spec.Ttl = 300;
        await server.SendingDomains.ReplaceNamespacedAsync(created, "default", "news");

        created.Spec.Ttl = 600; // still carries the old resourceVersion
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.ReplaceNamespacedAsync(created, "default", "news")
        );

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Equal("Conflict", StatusOf(e).Reason);
    }

    [Fact]
    public async Task Only_spec_changes_bump_the_generation_and_the_main_endpoint_ignores_status()
    {
        await using var server = await Server.StartAsync();
        var created = await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        var labelled = await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"metadata":{"labels":{"tier":"1"}},"status":{"observedGeneration":99}}""", V1Patch.PatchType.MergePatch),
            "default",
            "news"
        );
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.Null(labelled.Status);

        var changed = await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"spec":{"ttl":600}}""", V1Patch.PatchType.MergePatch),
            "default",
            "news"
        );
        Assert.Equal(2, changed.Metadata.Generation);
        Assert.NotEqual(created.Metadata.ResourceVersion, changed.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task The_status_subresource_changes_only_status_and_never_the_generation()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        var patch = new V1Patch(
            """
            {"spec":{"ttl":120},"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Published",
              "message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}
            """,
            V1Patch.PatchType.MergePatch
        );
        await server.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            patch,
            "maildns.io",
            "v1alpha1",
            "default",
            "sendingdomains",
            "news"
        );

        var read = await server.SendingDomains.ReadNamespacedAsync<SendingDomain>("default", "news");
        Assert.Equal("True", Assert.Single(read.Status!.Conditions!).Status);
        Assert.Equal(3600, read.Spec.Ttl);
        Assert.Equal(1, read.Metadata.Generation);
    }

    [Fact]
    public async Task A_no_op_update_keeps_the_resource_version()
    {
        await using var server = await Server.StartAsync();
        var created = await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        var same = await server.SendingDomains.ReplaceNamespacedAsync(created, "default", "news");

        Assert.Equal(created.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_a_failed_test_operation_is_refused()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");

        var patched = await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch(
                """[{"op":"replace","path":"/spec/ttl","value":900},{"op":"add","path":"/spec/spf/ip4/-","value":"192.0.2.2"}]""",
                V1Patch.PatchType.JsonPatch
            ),
            "default",
            "news"
        );
        Assert.Equal(900, patched.Spec.Ttl);
        Assert.Equal(["192.0.2.1", "192.0.2.2"], patched.Spec.Spf!.Ip4!);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""[{"op":"test","path":"/spec/ttl","value":1}]""", V1Patch.PatchType.JsonPatch),
                "default",
                "news"
            )
        );
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_object_with_a_finalizer_marks_it_and_removing_the_last_finalizer_deletes_it()
    {
        await using var server = await Server.StartAsync();
        var sd = Domain();
        sd.Metadata.Finalizers = ["maildns.io/records"];
        await server.SendingDomains.CreateNamespacedAsync(sd, "default");

        await server.SendingDomains.DeleteNamespacedAsync<SendingDomain>("default", "news");
        var marked = await server.SendingDomains.ReadNamespacedAsync<SendingDomain>("default", "news");
        Assert.NotNull(marked.Metadata.DeletionTimestamp);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
                new V1Patch("""{"metadata":{"finalizers":["maildns.io/records","other"]}}""", V1Patch.PatchType.MergePatch),
                "default",
                "news"
            )
        );
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);

        await server.SendingDomains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch),
            "default",
            "news"
        );
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.ReadNamespacedAsync<SendingDomain>("default", "news")
        );
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Dependents_with_an_owner_reference_are_deleted_after_their_owner()
    {
        await using var server = await Server.StartAsync();
        var owner = await server.SendingDomains.CreateNamespacedAsync(Domain(), "default");
        await server.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta
                {
                    Name = "news-dkim",
                    OwnerReferences =
                    [
                        new V1OwnerReference
                        {
                            ApiVersion = "maildns.io/v1alpha1",
                            Kind = "SendingDomain",
                            Name = "news",
                            Uid = owner.Metadata.Uid,
                            Controller = true,
                        },
                    ],
                },
                StringData = new Dictionary<string, string> { ["a"] = "b" },
            },
            "default"
        );
        await server.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "unrelated" } },
            "default"
        );

        await server.SendingDomains.DeleteNamespacedAsync<SendingDomain>("default", "news");

        var secrets = await server.Client.CoreV1.ListNamespacedSecretAsync("default");
        Assert.Equal(["unrelated"], secrets.Items.Select(s => s.Metadata.Name));
    }

    [Fact]
    public async Task Label_selectors_filter_lists()
    {
        await using var server = await Server.StartAsync();
        await server.SendingDomains.CreateNamespacedAsync(Domain("a"), "default");
        var other = Domain("b");
        other.Metadata.Labels = new Dictionary<string, string> { ["team"] = "ads", ["tier"] = "1" };
        await server.SendingDomains.CreateNamespacedAsync(other, "default");

        async Task<IEnumerable<string>> Names(string selector) =>
            (
                await server.Client.CustomObjects.ListNamespacedCustomObjectAsync<SendingDomainList>(
                    "maildns.io",
                    "v1alpha1",
                    "default",
                    "sendingdomains",
                    labelSelector: selector
                )
            ).Items.Select(i => i.Metadata.Name);

        Assert.Equal(["a"], await Names("team=mail"));
        Assert.Equal(["b"], await Names("team in (ads, other),tier"));
        Assert.Equal(["a"], await Names("!tier"));
        Assert.Equal(["a", "b"], await Names("team!=x"));
    }

    [Fact]
    public async Task A_list_with_a_limit_comes_in_pages_in_name_order_that_share_one_resource_version_and_end_without_a_continue_token()
    {
        await using var server = await Server.StartAsync();
        foreach (var name in new[] { "e", "a", "d", "c", "b" })
        {
            await server.SendingDomains.CreateNamespacedAsync(Domain(name), "default");
        }

        async Task<SendingDomainList> Page(string? token) =>
            await server.Client.CustomObjects.ListNamespacedCustomObjectAsync<SendingDomainList>(
                "maildns.io",
                "v1alpha1",
                "default",
                "sendingdomains",
                continueParameter: token,
                limit: 2
            );

        var first = await Page(null);
        await server.SendingDomains.CreateNamespacedAsync(Domain("aa"), "default"); // after the first page: a later page may show it
        var second = await Page(first.Metadata.ContinueProperty);
        var third = await Page(second.Metadata.ContinueProperty);

        Assert.Equal(["a", "b"], first.Items.Select(i => i.Metadata.Name));
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        Assert.Equal(["c", "d"], second.Items.Select(i => i.Metadata.Name));
        Assert.Equal(["e"], third.Items.Select(i => i.Metadata.Name));
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(first.Metadata.ResourceVersion, third.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_continue_token_older_than_the_history_is_410_expired_and_a_malformed_one_is_400()
    {
        await using var server = await Server.StartAsync(historyCapacity: 5);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await server.SendingDomains.CreateNamespacedAsync(Domain(name), "default");
        }

        var first = await server.Client.CustomObjects.ListNamespacedCustomObjectAsync<SendingDomainList>(
            "maildns.io",
            "v1alpha1",
            "default",
            "sendingdomains",
            limit: 1
        );
        foreach (var name in new[] { "d", "e", "f", "g", "h", "i" })
        {
            await server.SendingDomains.CreateNamespacedAsync(Domain(name), "default");
        }

        var expired = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.Client.CustomObjects.ListNamespacedCustomObjectAsync<SendingDomainList>(
                "maildns.io",
                "v1alpha1",
                "default",
                "sendingdomains",
                continueParameter: first.Metadata.ContinueProperty,
                limit: 1
            )
        );
        var malformed = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.Client.CustomObjects.ListNamespacedCustomObjectAsync<SendingDomainList>(
                "maildns.io",
                "v1alpha1",
                "default",
                "sendingdomains",
                continueParameter: "not-a-token",
                limit: 1
            )
        );

        Assert.Equal(HttpStatusCode.Gone, expired.Response.StatusCode);
        Assert.Equal("Expired", StatusOf(expired).Reason);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.Response.StatusCode);
    }

    [Fact]
    public async Task Creating_in_a_missing_namespace_is_404()
    {
        await using var server = await Server.StartAsync();

        var sd = Domain();
        sd.Metadata.NamespaceProperty = "nowhere";
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => server.SendingDomains.CreateNamespacedAsync(sd, "nowhere"));

        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
    }

    [Fact]
    public async Task Injected_faults_answer_with_the_configured_status_codes()
    {
        await using var server = await Server.StartAsync();
        server.Host.Faults.ServerErrorRate = 1;

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.ListNamespacedAsync<SendingDomainList>("default")
        );
        Assert.Equal(HttpStatusCode.InternalServerError, e.Response.StatusCode);

        server.Host.Faults.ServerErrorRate = 0;
        server.Host.Faults.ConflictRate = 1;
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            server.SendingDomains.CreateNamespacedAsync(Domain(), "default")
        );
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.NotNull(await server.SendingDomains.ListNamespacedAsync<SendingDomainList>("default")); // reads are never given a conflict
        Assert.Contains(server.Host.Requests, r => r.Verb == "create" && r.Resource == "sendingdomains" && r.Status == 409);
    }
}
