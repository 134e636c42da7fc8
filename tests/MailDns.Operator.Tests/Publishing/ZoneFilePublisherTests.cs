using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Publishing;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

public class ZoneFilePublisherTests
{
    private static SendingDomain Domain() =>
        new()
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "example", NamespaceProperty = "mail" },
            Spec = new SendingDomainSpec
            {
                Domain = "mail.example.com",
                ProviderRef = new ProviderRef { Name = "zone" },
                Spf = new SpfSpec { Ip4 = ["192.0.2.0/24"], All = "fail" },
                Dmarc = new DmarcSpec { Policy = "reject", AggregateReportUris = ["mailto:d@example.com"] },
            },
        };

    [Fact]
    public async Task A_new_zone_file_is_created_published_into_and_loads_in_bind()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "zones", "example.com.zone");
        var rsa = DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256);
        var desired = RecordSynthesis.Synthesize(Domain(), [new DkimPublicKey("rsa1", DkimAlgorithm.RsaSha256, rsa.PublicKey)]);
        var publisher = new RecordPublisher(new ZoneFileStore(path, "example.com"));

        var result = await publisher.ApplyAsync(desired, [], adopt: false, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(3, result.Created);
        var (exit, output) = Tool.Run("named-checkzone", "example.com", path);
        Assert.True(exit == 0, output);
        var again = await publisher.ApplyAsync(
            desired,
            desired.Select(d => new OwnedRecord(d.Name, d.Value, d.Owner)).ToList(),
            adopt: false,
            CancellationToken.None
        );
        Assert.Equal((0, 3), (again.Created, again.Unchanged));
        Assert.Equal([path], Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
    }

    [Fact]
    public async Task Publishing_into_a_hand_written_zone_keeps_it_and_deleting_removes_only_ours()
    {
        using var dir = new TempDir();
        var original = """
            $ORIGIN example.com.
            $TTL 3600
            @ IN SOA ns1 hostmaster 7 3600 600 1209600 300 ; hand-written
            @ IN NS ns1
            ns1 IN A 192.0.2.53
            mail IN TXT "google-site-verification=keep"
            """;
        var path = dir.Write("example.com.zone", original + "\n");
        var desired = RecordSynthesis.Synthesize(Domain(), []);
        var publisher = new RecordPublisher(new ZoneFileStore(path, "example.com"));
        await publisher.ApplyAsync(desired, [], adopt: false, CancellationToken.None);
        Assert.Equal(0, Tool.Run("named-checkzone", "example.com", path).Exit);

        var removed = await publisher.ApplyAsync(
            [],
            desired.Select(d => new OwnedRecord(d.Name, d.Value, d.Owner)).ToList(),
            adopt: false,
            CancellationToken.None
        );

        Assert.Equal(2, removed.Deleted);
        var text = File.ReadAllText(path);
        foreach (var line in original.Split('\n').Where(l => !l.Contains("SOA", StringComparison.Ordinal)))
        {
            Assert.Contains(line, text);
        }

        Assert.Equal(9u, ZoneFileEditor.Serial(text)); // one bump per publish
        Assert.Equal(["google-site-verification=keep"], ZoneFileEditor.Read(text, "example.com")["mail.example.com"]);
        Assert.Equal(0, Tool.Run("named-checkzone", "example.com", path).Exit);
    }
}
