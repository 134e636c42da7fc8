using System.Collections.Immutable;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Dkim;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Dkim;

public class KeyStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DkimKeyMaterial Rsa = DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256, 2048);
    private static readonly DkimKeyMaterial Ed = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);

    /// <summary>Dual signing mid-rotation: an active RSA and Ed25519 key, a retiring RSA key and a pending one.</summary>
    private static KeySet DualSigning()
    {
        var state = DkimState
            .Empty.Add(
                new DkimKey(
                    "rsa20260101",
                    "rsa",
                    DkimAlgorithm.RsaSha256,
                    2048,
                    Rsa.PublicKey,
                    KeyPhase.Retiring,
                    T0.AddDays(-100),
                    T0.AddDays(-100),
                    T0.AddDays(-100),
                    T0.AddDays(-99),
                    T0.AddDays(-2)
                )
            )
            .Add(
                new DkimKey(
                    "rsa20260301",
                    "rsa",
                    DkimAlgorithm.RsaSha256,
                    2048,
                    Rsa.PublicKey,
                    KeyPhase.Active,
                    T0.AddDays(-3),
                    T0.AddDays(-3),
                    T0.AddDays(-3),
                    T0.AddDays(-2)
                )
            )
            .Add(
                new DkimKey(
                    "ed20260101",
                    "ed",
                    DkimAlgorithm.Ed25519Sha256,
                    256,
                    Ed.PublicKey,
                    KeyPhase.Active,
                    T0.AddDays(-100),
                    T0.AddDays(-100),
                    T0.AddDays(-100),
                    T0.AddDays(-99)
                )
            )
            .Add(new DkimKey("rsa20260304", "rsa", DkimAlgorithm.RsaSha256, 2048, Rsa.PublicKey, KeyPhase.Staged, T0));
        state = state with { HandledRotateRequests = state.HandledRotateRequests.Add("rsa", T0.AddDays(-3)) };
        var privateKeys = state.Keys.ToImmutableSortedDictionary(
            k => k.Selector,
            k => k.Algorithm == DkimAlgorithm.RsaSha256 ? Rsa.PrivateKeyPem : Ed.PrivateKeyPem,
            StringComparer.Ordinal
        );
        return new KeySet("mail.example.com", state, privateKeys);
    }

    [Fact]
    public void The_mta_files_hold_every_key_and_record_and_name_only_active_keys_for_signing()
    {
        var files = MtaKeyFiles.Render(DualSigning());

        Assert.Equal(
            [
                "KeyTable",
                "SigningTable",
                "active",
                "dkim.json",
                "ed20260101.key",
                "ed20260101.txt",
                "rsa20260101.key",
                "rsa20260101.txt",
                "rsa20260301.key",
                "rsa20260301.txt",
                "rsa20260304.key",
                "rsa20260304.txt",
                "selector.map",
            ],
            files.Keys
        );
        Assert.Equal("ed20260101\nrsa20260301\n", files["active"]);
        Assert.Equal(
            "ed20260101._domainkey.mail.example.com mail.example.com:ed20260101:/etc/maildns/dkim/ed20260101.key\n"
                + "rsa20260301._domainkey.mail.example.com mail.example.com:rsa20260301:/etc/maildns/dkim/rsa20260301.key\n",
            files["KeyTable"]
        );
        Assert.Equal(
            "*@mail.example.com ed20260101._domainkey.mail.example.com\n*@mail.example.com rsa20260301._domainkey.mail.example.com\n",
            files["SigningTable"]
        );
        Assert.StartsWith(
            "rsa20260301._domainkey.mail.example.com.\t3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p=",
            files["rsa20260301.txt"],
            StringComparison.Ordinal
        );
        Assert.Equal(Rsa.PrivateKeyPem, files["rsa20260301.key"]);
        Assert.Equal("mail.example.com rsa20260301\n", files["selector.map"]);
    }

    [Fact]
    public void The_manifest_names_files_phases_and_algorithms_but_never_a_private_key()
    {
        var manifest = MtaKeyFiles.Render(DualSigning())["dkim.json"];

        Assert.Contains("\"keyFile\": \"rsa20260301.key\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"phase\": \"retiring\"", manifest, StringComparison.Ordinal);
        Assert.Contains("\"algorithm\": \"ed25519-sha256\"", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", manifest, StringComparison.Ordinal);
        Assert.DoesNotContain(Rsa.PrivateKeyPem.Split('\n')[1], manifest, StringComparison.Ordinal);
    }

    [Fact]
    public void Parsing_the_rendered_files_gives_back_the_same_key_set()
    {
        var set = DualSigning();

        var parsed = MtaKeyFiles.Parse(MtaKeyFiles.Render(set));

        Assert.Equal(set.Domain, parsed.Domain);
        Assert.Equal(set.State.Keys, parsed.State.Keys);
        Assert.Equal(set.State.UsedSelectors, parsed.State.UsedSelectors);
        Assert.Equal(set.State.HandledRotateRequests, parsed.State.HandledRotateRequests);
        Assert.Equal(set.PrivateKeys, parsed.PrivateKeys);
    }

    [Fact]
    public void A_manifest_that_names_a_missing_key_file_is_refused_rather_than_losing_the_key()
    {
        var files = MtaKeyFiles.Render(DualSigning()).Remove("rsa20260301.key");

        Assert.Contains(
            "rsa20260301.key",
            Assert.Throws<FormatException>(() => MtaKeyFiles.Parse(files)).Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task The_directory_store_uses_the_kubelet_secret_layout_and_swaps_versions_atomically()
    {
        using var dir = new TempDir();
        var store = new DirectoryKeyStore(dir.Path);
        var set = DualSigning();

        await store.SaveAsync("mail/sd", set, CancellationToken.None);
        var domainDir = store.DirectoryOf("mail/sd");
        var firstVersion = new FileInfo(Path.Combine(domainDir, "..data")).LinkTarget;
        var removed = set with { State = set.State.Remove("rsa20260101"), PrivateKeys = set.PrivateKeys.Remove("rsa20260101") };
        await store.SaveAsync("mail/sd", removed, CancellationToken.None);

        var secondVersion = new FileInfo(Path.Combine(domainDir, "..data")).LinkTarget;
        Assert.NotEqual(firstVersion, secondVersion);
        Assert.False(Directory.Exists(Path.Combine(domainDir, firstVersion!)));
        Assert.Equal("..data/KeyTable", new FileInfo(Path.Combine(domainDir, "KeyTable")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(domainDir, "rsa20260101.key")));
        Assert.Equal(Rsa.PrivateKeyPem, await File.ReadAllTextAsync(Path.Combine(domainDir, "rsa20260301.key")));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(domainDir, secondVersion!, "rsa20260301.key"))
        );
        var loaded = await store.LoadAsync("mail/sd", CancellationToken.None);
        Assert.Equal(removed.State.Keys, loaded!.State.Keys);
        Assert.Contains("rsa20260101", loaded.State.UsedSelectors);
    }

    [Fact]
    public async Task A_missing_directory_is_an_empty_store()
    {
        using var dir = new TempDir();

        Assert.Null(await new DirectoryKeyStore(dir.Path).LoadAsync("mail/none", CancellationToken.None));
    }

    [Fact]
    public void The_openssl_cli_reads_every_private_key_the_store_writes()
    {
        using var dir = new TempDir();
        foreach (var (name, content) in MtaKeyFiles.Render(DualSigning()).Where(f => f.Key.EndsWith(".key", StringComparison.Ordinal)))
        {
            var (exit, output) = Tool.Run("openssl", "pkey", "-in", dir.Write(name, content), "-noout");
            Assert.True(exit == 0, name + ": " + output);
        }
    }
}

public class KeySecretTests
{
    [Fact]
    public void The_secret_is_labelled_with_its_sending_domain_owned_by_it_and_reads_back_to_the_same_keys()
    {
        var owner = new MailDns.Core.Api.SendingDomain
        {
            Metadata = new()
            {
                Name = "news",
                NamespaceProperty = "mail",
                Uid = "1234-abcd",
            },
        };
        var material = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);
        var state = DkimState.Empty.Add(
            new DkimKey("ed20260101", "ed", DkimAlgorithm.Ed25519Sha256, 256, material.PublicKey, KeyPhase.Active, DateTimeOffset.UnixEpoch)
        );
        var keys = new KeySet(
            "news.example.com",
            state,
            ImmutableSortedDictionary<string, string>.Empty.Add("ed20260101", material.PrivateKeyPem)
        );

        var secret = KeySecret.Build(owner, keys);

        Assert.Equal("news-dkim", secret.Metadata.Name);
        Assert.Equal("mail", secret.Metadata.NamespaceProperty);
        Assert.Equal("news", secret.Metadata.Labels[KeySecret.SendingDomainLabel]);
        Assert.Equal("news.example.com", secret.Metadata.Labels[KeySecret.DomainLabel]);
        Assert.Equal("maildns-operator", secret.Metadata.Labels[KeySecret.ManagedByLabel]);
        var reference = Assert.Single(secret.Metadata.OwnerReferences);
        Assert.Equal(
            ("SendingDomain", "news", "1234-abcd", true),
            (reference.Kind, reference.Name, reference.Uid, reference.Controller ?? false)
        );
        Assert.Equal(keys.State.Keys, KeySecret.Read(secret).State.Keys);
        Assert.Equal(material.PrivateKeyPem, KeySecret.Read(secret).PrivateKeys["ed20260101"]);
    }
}
