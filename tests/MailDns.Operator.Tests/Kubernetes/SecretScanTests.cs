using System.Text;
using k8s.Models;
using MailDns.Core.Dkim;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>The scan itself must catch a key or credential in any form it could leak in, or a clean result means nothing.</summary>
public class SecretScanTests
{
    private static readonly DkimKeyMaterial Key = DkimKeyMaterial.Generate(DkimAlgorithm.Ed25519Sha256);
    private const string Tsig = "c2VjcmV0LXRzaWcta2V5LWZvci10aGUtdGVzdHMtMTIzNDU2Nzg=";

    private static readonly V1Secret[] Secrets =
    [
        new()
        {
            Data = new Dictionary<string, byte[]>
            {
                ["s1.key"] = Encoding.UTF8.GetBytes(Key.PrivateKeyPem),
                ["s1.txt"] = Encoding.UTF8.GetBytes("v=DKIM1; p=x"),
            },
        },
        new() { Data = new Dictionary<string, byte[]> { ["secret"] = Encoding.UTF8.GetBytes(Tsig) } },
    ];

    private static byte[] Der =>
        Convert.FromBase64String(string.Concat(Key.PrivateKeyPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));

    public static TheoryData<string, string> Leaks =>
        new()
        {
            { "the PEM body as one base64 string", Convert.ToBase64String(Der) },
            { "the DER as upper-case hex", Convert.ToHexString(Der) },
            { "the DER as lower-case hex", Convert.ToHexStringLower(Der) },
            { "the raw Ed25519 seed in base64", Convert.ToBase64String(Der[^32..]) },
            { "the raw Ed25519 seed in hex", Convert.ToHexStringLower(Der[^32..]) },
            { "a TSIG secret as written", $"key {Tsig} refused" },
            { "a TSIG secret's bytes in hex", Convert.ToHexString(Convert.FromBase64String(Tsig)) },
            { "a TSIG secret base64-encoded again (a Secret's data field)", Convert.ToBase64String(Encoding.UTF8.GetBytes(Tsig)) },
        };

    [Theory]
    [MemberData(nameof(Leaks))]
    public void A_leak_in_any_form_is_found(string because, string leaked)
    {
        var hits = SecretScan.Hits(SecretScan.Needles(Secrets), [("log", $"reconcile failed: {leaked}")]);

        Assert.True(hits.Count > 0, because);
    }

    [Fact]
    public void Public_material_is_not_a_hit()
    {
        var hits = SecretScan.Hits(SecretScan.Needles(Secrets), [("status", $"v=DKIM1; k=ed25519; p={Key.PublicKey}")]);

        Assert.Empty(hits);
    }
}
