using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Records;

namespace MailDns.Core.Dkim.Storage;

/// <summary>
/// The files of the Secret (or directory) the MTAs mount, one per key of the map:
/// <c>&lt;selector&gt;.key</c> (PKCS#8 PEM), <c>&lt;selector&gt;.txt</c> (the zone-file record), <c>active</c> (the
/// selectors to sign with, one a line), OpenDKIM's <c>KeyTable</c> and <c>SigningTable</c>, Rspamd's
/// <c>selector.map</c>, and <c>dkim.json</c>,
/// a manifest for other MTAs that is also the saved rotation state. Parsing gives back exactly what was rendered.
/// </summary>
public static class MtaKeyFiles
{
    public const string Manifest = "dkim.json";
    public const string ActiveFile = "active";
    public const string KeyTableFile = "KeyTable";
    public const string SigningTableFile = "SigningTable";
    public const string SelectorMapFile = "selector.map";

    /// <summary>Where the MTA containers mount the Secret; KeyTable names key files under it.</summary>
    public const string DefaultMountPath = "/etc/maildns/dkim";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static ImmutableSortedDictionary<string, string> Render(KeySet set, string mountPath = DefaultMountPath)
    {
        var files = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var active = set.State.Keys.Where(k => k.Phase == KeyPhase.Active).OrderBy(k => k.Selector, StringComparer.Ordinal).ToList();
        foreach (var key in set.State.Keys)
        {
            if (!set.PrivateKeys.TryGetValue(key.Selector, out var pem))
            {
                throw new InvalidOperationException($"key {key.Selector} has no private key in the set");
            }

            files[key.Selector + ".key"] = pem;
            var record = RecordSynthesis.DkimRecord(set.Domain, key.ToPublicKey(), Defaults.Ttl, "");
            files[key.Selector + ".txt"] = ZoneFragment.AbsoluteLine(record) + "\n";
        }

        files[ActiveFile] = string.Concat(active.Select(k => k.Selector + "\n"));
        var keyTable = new StringBuilder();
        var signingTable = new StringBuilder();
        foreach (var key in active)
        {
            var name = $"{key.Selector}._domainkey.{set.Domain}";
            keyTable
                .Append(name)
                .Append(' ')
                .Append(set.Domain)
                .Append(':')
                .Append(key.Selector)
                .Append(':')
                .Append(mountPath.TrimEnd('/'))
                .Append('/')
                .Append(key.Selector)
                .Append(".key\n");
            signingTable.Append("*@").Append(set.Domain).Append(' ').Append(name).Append('\n');
        }

        files[KeyTableFile] = keyTable.ToString();

        // Rspamd's selector_map: one selector per domain, so the RSA key (which every receiver verifies) comes first.
        files[SelectorMapFile] = string.Concat(
            active.OrderBy(k => k.Algorithm == DkimAlgorithm.RsaSha256 ? 0 : 1).Take(1).Select(k => $"{set.Domain} {k.Selector}\n")
        );
        files[SigningTableFile] = signingTable.ToString();
        files[Manifest] = JsonSerializer.Serialize(ManifestOf(set, active), Json) + "\n";
        return files.ToImmutable();
    }

    public static KeySet Parse(IReadOnlyDictionary<string, string> files)
    {
        if (!files.TryGetValue(Manifest, out var json))
        {
            throw new FormatException($"the key store has no {Manifest}");
        }

        ManifestJson manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ManifestJson>(json, Json) ?? throw new FormatException($"{Manifest} is empty");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{Manifest} is not valid: {e.Message}", e);
        }

        CheckRequired(manifest);
        var keys = manifest
            .Keys.Select(k => new DkimKey(
                k.Selector,
                k.Series,
                k.Algorithm == DkimAlgorithmText.Ed25519Sha256 ? DkimAlgorithm.Ed25519Sha256 : DkimAlgorithm.RsaSha256,
                k.Bits,
                k.PublicKey,
                k.Phase,
                k.CreatedAt,
                k.PublishedAt,
                k.VerifiedAt,
                k.ActivatedAt,
                k.RetiringAt,
                k.RevokedAt,
                k.Compromised,
                k.WithdrawnAt
            ))
            .ToImmutableList();
        var privateKeys = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            privateKeys[key.Selector] = files.TryGetValue(key.KeyFile(), out var pem)
                ? pem
                : throw new FormatException($"{Manifest} names {key.Selector} but {key.KeyFile()} is missing");
        }

        var state = new DkimState(
            keys,
            manifest.UsedSelectors.ToImmutableSortedSet(StringComparer.Ordinal),
            manifest.HandledRotateRequests.ToImmutableSortedDictionary(StringComparer.Ordinal)
        );
        return new KeySet(manifest.Domain, state, privateKeys.ToImmutable());
    }

    /// <summary>
    /// What the JSON reader lets through as null though the manifest requires it: named by its path, as a
    /// FormatException, so a hand-edited Secret is reported and never overwritten.
    /// </summary>
    private static void CheckRequired(ManifestJson manifest)
    {
        static void Require(object? value, string path)
        {
            if (value is null)
            {
                throw new FormatException($"{Manifest}: {path} is required");
            }
        }

        Require(manifest.Domain, "domain");
        Require(manifest.Keys, "keys");
        Require(manifest.UsedSelectors, "usedSelectors");
        Require(manifest.HandledRotateRequests, "handledRotateRequests");
        for (var i = 0; i < manifest.Keys.Count; i++)
        {
            Require(manifest.Keys[i], $"keys[{i}]");
            Require(manifest.Keys[i].Selector, $"keys[{i}].selector");
            Require(manifest.Keys[i].Series, $"keys[{i}].series");
            Require(manifest.Keys[i].PublicKey, $"keys[{i}].publicKey");
        }

        if (manifest.UsedSelectors.Any(s => s is null))
        {
            throw new FormatException($"{Manifest}: usedSelectors holds a null");
        }
    }

    private static string KeyFile(this DkimKey key) => key.Selector + ".key";

    private static ManifestJson ManifestOf(KeySet set, IReadOnlyList<DkimKey> active) =>
        new(
            set.Domain,
            active.Select(k => k.Selector).ToList(),
            set.State.Keys.Select(k => new ManifestKey(
                    k.Selector,
                    k.Series,
                    k.Algorithm.ToText(),
                    k.Bits,
                    k.Phase,
                    k.Fingerprint,
                    k.PublicKey,
                    k.Selector + ".key",
                    k.Selector + ".txt",
                    k.CreatedAt,
                    k.PublishedAt,
                    k.VerifiedAt,
                    k.ActivatedAt,
                    k.RetiringAt,
                    k.RevokedAt,
                    k.Compromised,
                    k.WithdrawnAt
                ))
                .ToList(),
            set.State.UsedSelectors.ToList(),
            new SortedDictionary<string, DateTimeOffset>(set.State.HandledRotateRequests, StringComparer.Ordinal)
        );

    private sealed record ManifestJson(
        string Domain,
        List<string> ActiveSelectors,
        List<ManifestKey> Keys,
        List<string> UsedSelectors,
        SortedDictionary<string, DateTimeOffset> HandledRotateRequests
    );

    private sealed record ManifestKey(
        string Selector,
        string Series,
        string Algorithm,
        int Bits,
        KeyPhase Phase,
        string Fingerprint,
        string PublicKey,
        string KeyFile,
        string RecordFile,
        DateTimeOffset CreatedAt,
        DateTimeOffset? PublishedAt,
        DateTimeOffset? VerifiedAt,
        DateTimeOffset? ActivatedAt,
        DateTimeOffset? RetiringAt,
        DateTimeOffset? RevokedAt,
        bool Compromised,
        DateTimeOffset? WithdrawnAt = null
    );
}
