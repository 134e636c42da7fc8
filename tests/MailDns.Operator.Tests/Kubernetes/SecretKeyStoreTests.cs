using System.Collections.Immutable;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>The Secret key store over HTTP against the test API server.</summary>
public class SecretKeyStoreTests
{
    private static async Task<SendingDomain> CreateDomainAsync(ApiServer api)
    {
        var sd = new SendingDomain
        {
            Metadata = new V1ObjectMeta { Name = "news", NamespaceProperty = "default" },
            Spec = new SendingDomainSpec
            {
                Domain = "news.example.com",
                ProviderRef = new ProviderRef { Name = "zone" },
            },
        };
        return await new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false).CreateNamespacedAsync(
            sd,
            "default"
        );
    }

    private static KeySet Keys(string selector)
    {
        var key = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);
        var state = DkimState.Empty.Add(
            new DkimKey(selector, "ed", DkimAlgorithm.Ed25519Sha256, 256, key.PublicKey, KeyPhase.Staged, DateTimeOffset.UnixEpoch)
        );
        return new KeySet(
            "news.example.com",
            state,
            ImmutableSortedDictionary.Create<string, string>(StringComparer.Ordinal).Add(selector, key.PrivateKeyPem)
        );
    }

    [Fact]
    public async Task Keys_round_trip_through_an_owned_labelled_secret_and_updates_replace_it_whole()
    {
        await using var api = await ApiServer.StartAsync();
        var domain = await CreateDomainAsync(api);
        var store = new SecretKeyStore(api.Client, _ => domain);

        Assert.Null(await store.LoadAsync(domain.Key, CancellationToken.None));
        await store.SaveAsync(domain.Key, Keys("ed1"), CancellationToken.None);
        await store.SaveAsync(domain.Key, Keys("ed2"), CancellationToken.None);

        var loaded = await new SecretKeyStore(api.Client, _ => domain).LoadAsync(domain.Key, CancellationToken.None);
        Assert.Equal(["ed2"], loaded!.State.Keys.Select(k => k.Selector));
        var secret = await api.Client.CoreV1.ReadNamespacedSecretAsync("news-dkim", "default");
        Assert.Equal(domain.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        Assert.Equal("maildns-operator", secret.Metadata.Labels["app.kubernetes.io/managed-by"]);
        Assert.Contains("ed2.key", secret.Data.Keys);
    }

    [Fact]
    public async Task One_reconcile_reads_a_missing_secret_once_and_a_secret_created_meanwhile_is_never_overwritten()
    {
        await using var api = await ApiServer.StartAsync();
        var domain = await CreateDomainAsync(api);
        var store = new SecretKeyStore(api.Client, _ => domain);

        Assert.Null(await store.LoadAsync(domain.Key, CancellationToken.None));
        Assert.Null(await store.LoadAsync(domain.Key, CancellationToken.None)); // a rotation step loads again
        await new SecretKeyStore(api.Client, _ => domain).SaveAsync(domain.Key, Keys("ed1"), CancellationToken.None); // another writer
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            store.SaveAsync(domain.Key, Keys("ed2"), CancellationToken.None)
        );

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode); // create refused: AlreadyExists
        Assert.Equal(1, api.Host.Requests.Count(r => r.Verb == "get" && r.Resource == "secrets"));
        var kept = await new SecretKeyStore(api.Client, _ => domain).LoadAsync(domain.Key, CancellationToken.None);
        Assert.Equal(["ed1"], kept!.State.Keys.Select(k => k.Selector));
    }

    [Fact]
    public async Task A_writer_with_an_old_version_gets_a_conflict_instead_of_overwriting()
    {
        await using var api = await ApiServer.StartAsync();
        var domain = await CreateDomainAsync(api);
        var first = new SecretKeyStore(api.Client, _ => domain);
        var second = new SecretKeyStore(api.Client, _ => domain);
        await first.SaveAsync(domain.Key, Keys("ed1"), CancellationToken.None);
        await first.LoadAsync(domain.Key, CancellationToken.None);
        await second.LoadAsync(domain.Key, CancellationToken.None);

        await first.SaveAsync(domain.Key, Keys("ed2"), CancellationToken.None);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => second.SaveAsync(domain.Key, Keys("ed3"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Equal(["ed2"], (await first.LoadAsync(domain.Key, CancellationToken.None))!.State.Keys.Select(k => k.Selector));
    }
}
