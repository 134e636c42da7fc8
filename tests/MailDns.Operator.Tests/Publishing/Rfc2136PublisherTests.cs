using System.Net;
using DnsClient;
using MailDns.Core.Dkim;
using MailDns.Core.Publishing;
using MailDns.Core.Records;
using MailDns.Operator.Dns;
using MailDns.Operator.Publishing;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>The RFC 2136 publisher against a real BIND and a real Knot on 127.0.0.1, TSIG hmac-sha256 and hmac-sha512.</summary>
public class Rfc2136PublisherTests
{
    private const string Zone = "pub.test";

    public static TheoryData<string, string> Servers =>
        new()
        {
            { "bind", "hmac-sha256" },
            { "bind", "hmac-sha512" },
            { "knot", "hmac-sha256" },
            { "knot", "hmac-sha512" },
        };

    private sealed class Server : IDisposable
    {
        private readonly IDisposable process;

        public Server(string kind, string algorithm)
        {
            if (kind == "bind")
            {
                var bind = new BindServer([(Zone, "")], algorithm);
                (process, Endpoint, KeyName, Secret, Update) = (bind, bind.Endpoint, bind.KeyName, bind.Secret, bind.Update);
            }
            else
            {
                var knot = new KnotServer(Zone, algorithm);
                (process, Endpoint, KeyName, Secret, Update) = (knot, knot.Endpoint, knot.KeyName, knot.Secret, _ =>
                    throw new NotSupportedException()
                );
            }

            Algorithm = algorithm;
        }

        public IPEndPoint Endpoint { get; }

        public string KeyName { get; }

        public string Secret { get; }

        public string Algorithm { get; }

        public Action<string> Update { get; }

        public RecordPublisher Publisher(byte[]? secret = null) =>
            new(
                new Rfc2136Store(
                    Endpoint,
                    Zone,
                    new TsigKey(KeyName, Algorithm, secret ?? Convert.FromBase64String(Secret)),
                    new DnsClientQuery()
                )
            );

        public async Task<IReadOnlyList<string>> ServedAsync(string name) =>
            (
                await new DnsClientQuery().AskAsync(
                    Endpoint,
                    new Core.Health.DnsQuestion(name, Core.Health.DnsType.Txt),
                    false,
                    CancellationToken.None
                )
            ).Joined;

        public async Task<IReadOnlyList<string>> ServedSrvAsync(string name) =>
            (
                await new DnsClientQuery().AskAsync(
                    Endpoint,
                    new Core.Health.DnsQuestion(name, Core.Health.DnsType.Srv),
                    false,
                    CancellationToken.None
                )
            )
                .Hosts.Order(StringComparer.Ordinal)
                .ToList();

        public void Dispose() => process.Dispose();
    }

    private static DesiredRecord Spf(string value) => new(Zone, 300, value, RecordPurpose.Spf, "mail/pub");

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Publishing_creates_updates_and_deletes_single_records_and_leaves_foreign_ones(string kind, string algorithm)
    {
        using var server = new Server(kind, algorithm);
        var publisher = server.Publisher();
        var rsa = DkimKeyMaterial.Generate(DkimAlgorithm.RsaSha256);
        var dkim = new DesiredRecord(
            $"s1._domainkey.{Zone}",
            300,
            new DkimPublicKey("s1", DkimAlgorithm.RsaSha256, rsa.PublicKey).RecordValue,
            RecordPurpose.Dkim,
            "mail/pub",
            "s1"
        );
        var foreign = new DesiredRecord(Zone, 300, "google-site-verification=abc", RecordPurpose.Spf, "someone-else");
        // a record the product does not own
        Assert.True((await server.Publisher().ApplyAsync([foreign], [], adopt: false, CancellationToken.None)).Succeeded);

        var first = await publisher.ApplyAsync([Spf("v=spf1 ip4:192.0.2.1 -all"), dkim], [], adopt: false, CancellationToken.None);
        Assert.True(first.Succeeded, string.Join("; ", first.Failures.Select(f => f.Error)));
        Assert.Equal(2, first.Created);
        Assert.Equal(dkim.Value, Assert.Single(await server.ServedAsync(dkim.Name))); // 410+ characters arrive whole
        Assert.True(dkim.Value.Length > 255);

        var owned = new List<OwnedRecord> { new(Zone, "v=spf1 ip4:192.0.2.1 -all", "mail/pub"), new(dkim.Name, dkim.Value, "mail/pub") };
        var again = await publisher.ApplyAsync([Spf("v=spf1 ip4:192.0.2.1 -all"), dkim], owned, adopt: false, CancellationToken.None);
        Assert.Equal((0, 0, 0, 2), (again.Created, again.Updated, again.Deleted, again.Unchanged));

        var update = await publisher.ApplyAsync([Spf("v=spf1 ip4:192.0.2.2 -all")], owned, adopt: false, CancellationToken.None);
        Assert.Equal((0, 1, 1), (update.Created, update.Updated, update.Deleted));
        Assert.Equal(
            ["google-site-verification=abc", "v=spf1 ip4:192.0.2.2 -all"],
            (await server.ServedAsync(Zone)).Order(StringComparer.Ordinal)
        );
        Assert.Empty(await server.ServedAsync(dkim.Name));

        var deletion = await publisher.ApplyAsync(
            [],
            [new(Zone, "v=spf1 ip4:192.0.2.2 -all", "mail/pub")],
            adopt: false,
            CancellationToken.None
        );
        Assert.Equal(1, deletion.Deleted);
        Assert.Equal(["google-site-verification=abc"], await server.ServedAsync(Zone));
    }

    [Theory]
    [InlineData("bind")]
    [InlineData("knot")]
    public async Task Submission_srv_records_are_published_one_value_at_a_time_beside_a_txt_at_the_same_name(string kind)
    {
        // RFC 6186 §3.1: _submission._tcp holds SRV records; the TXT someone left there is another type and never touched.
        using var server = new Server(kind, "hmac-sha256");
        var name = $"_submission._tcp.{Zone}";
        DesiredRecord Srv(string value) => new(name, 300, value, RecordPurpose.Submission, "mail/pub");
        if (kind == "bind")
        {
            server.Update($"update add {name}. 300 TXT \"left by hand\"\n");
        }

        var first = await server
            .Publisher()
            .ApplyAsync([Srv("0 1 587 smtp.pub.test."), Srv("10 1 587 smtp2.pub.test.")], [], adopt: false, CancellationToken.None);
        Assert.True(first.Succeeded, string.Join("; ", first.Failures.Select(f => f.Error)));
        Assert.Equal(["0 1 587 smtp.pub.test.", "10 1 587 smtp2.pub.test."], await server.ServedSrvAsync(name));

        OwnedRecord[] owned = [new(name, "0 1 587 smtp.pub.test.", "mail/pub"), new(name, "10 1 587 smtp2.pub.test.", "mail/pub")];
        var moved = await server
            .Publisher()
            .ApplyAsync([Srv("0 1 587 smtp.pub.test."), Srv("10 1 587 smtp3.pub.test.")], owned, adopt: false, CancellationToken.None);
        Assert.Equal((0, 1, 1), (moved.Created, moved.Updated, moved.Unchanged));
        Assert.Equal(["0 1 587 smtp.pub.test.", "10 1 587 smtp3.pub.test."], await server.ServedSrvAsync(name));

        var gone = await server
            .Publisher()
            .ApplyAsync(
                [],
                [new(name, "0 1 587 smtp.pub.test.", "mail/pub"), new(name, "10 1 587 smtp3.pub.test.", "mail/pub")],
                false,
                default
            );
        Assert.Equal(2, gone.Deleted);
        Assert.Empty(await server.ServedSrvAsync(name));
        if (kind == "bind")
        {
            Assert.Equal(["left by hand"], await server.ServedAsync(name));
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task A_plan_of_several_records_is_one_update_message_and_one_new_serial(string kind, string algorithm)
    {
        using var server = new Server(kind, algorithm);
        var serial = SerialOf(server);

        var published = await server
            .Publisher()
            .ApplyAsync(
                [Spf("v=spf1 -all"), new("_dmarc." + Zone, 300, "v=DMARC1; p=none", RecordPurpose.Dmarc, "mail/pub")],
                [],
                adopt: false,
                CancellationToken.None
            );

        Assert.Equal(2, published.Created);
        // RFC 2136 §3.7: the server applies an UPDATE whole, and §3.6 bumps the serial once for it.
        Assert.Equal(serial + 1, SerialOf(server));
        Assert.Equal(["v=DMARC1; p=none"], await server.ServedAsync("_dmarc." + Zone));
    }

    [Theory]
    [InlineData("bind")]
    [InlineData("knot")]
    public async Task A_refused_plan_goes_record_by_record_and_names_only_the_record_the_server_refused(string kind)
    {
        using var server = new Server(kind, "hmac-sha256");
        var store = new Rfc2136Store(
            server.Endpoint,
            Zone,
            new TsigKey(server.KeyName, server.Algorithm, Convert.FromBase64String(server.Secret)),
            new DnsClientQuery()
        );

        // RFC 2136 §3.4.1.3: a name outside the zone makes the whole message NOTZONE; the other record must still land.
        var failures = await store.ApplyAsync(
            [
                new RecordChange(ChangeKind.Create, Zone, 300, null, "v=spf1 -all", RecordPurpose.Spf, "mail/pub"),
                new RecordChange(ChangeKind.Create, "elsewhere.test", 300, null, "v=spf1 -all", RecordPurpose.Spf, "mail/pub"),
            ],
            CancellationToken.None
        );

        var (change, error) = Assert.Single(failures);
        Assert.Equal("elsewhere.test", change.Name);
        Assert.Contains("NOTZONE", error);
        Assert.Equal(["v=spf1 -all"], await server.ServedAsync(Zone));
    }

    private static uint SerialOf(Server server) =>
        new LookupClient(new LookupClientOptions(server.Endpoint) { UseCache = false, Recursion = false })
            .Query(Zone, QueryType.SOA)
            .Answers.SoaRecords()
            .Single()
            .Serial;

    [Theory]
    [InlineData("bind")]
    [InlineData("knot")]
    public async Task A_wrong_tsig_secret_is_refused_credentials_with_the_servers_answer_and_changes_nothing(string kind)
    {
        using var server = new Server(kind, "hmac-sha256");

        var refused = await Assert.ThrowsAsync<PublishException>(() =>
            server
                .Publisher(secret: new byte[32])
                .ApplyAsync(
                    [Spf("v=spf1 -all"), new DesiredRecord("_dmarc." + Zone, 300, "v=DMARC1; p=none", RecordPurpose.Dmarc, "mail/pub")],
                    [],
                    adopt: false,
                    CancellationToken.None
                )
        );

        Assert.Equal(MailDns.Core.Api.ConditionReasons.CredentialsRejected, refused.Reason); // not worth retrying with the same key
        Assert.Contains("NOTAUTH", refused.Message);
        Assert.Contains(Zone, refused.Message);
        Assert.DoesNotContain(server.Secret, refused.Message, StringComparison.Ordinal);
        Assert.Empty(await server.ServedAsync(Zone));
    }

    [Fact]
    public async Task A_foreign_spf_is_a_conflict_with_its_value_unless_adopted()
    {
        using var server = new Server("bind", "hmac-sha256");
        server.Update($"update add {Zone}. 300 TXT \"v=spf1 include:legacy.example -all\"\n");

        var refused = await server.Publisher().ApplyAsync([Spf("v=spf1 ip4:192.0.2.1 -all")], [], adopt: false, CancellationToken.None);
        var conflict = Assert.Single(refused.Conflicts);
        Assert.Contains("v=spf1 include:legacy.example -all", conflict.Message);
        Assert.Equal(["v=spf1 include:legacy.example -all"], await server.ServedAsync(Zone));

        var adopted = await server.Publisher().ApplyAsync([Spf("v=spf1 ip4:192.0.2.1 -all")], [], adopt: true, CancellationToken.None);
        Assert.True(adopted.Succeeded);
        Assert.Equal(["v=spf1 ip4:192.0.2.1 -all"], await server.ServedAsync(Zone));
    }

    [Fact]
    public async Task An_unreachable_primary_refuses_to_plan_rather_than_guess()
    {
        var store = new Rfc2136Store(
            new IPEndPoint(IPAddress.Loopback, BindServer.FreePort()),
            Zone,
            new TsigKey("k", "hmac-sha256", new byte[32]),
            new DnsClientQuery(TimeSpan.FromMilliseconds(300), retries: 0)
        );

        var e = await Assert.ThrowsAsync<PublishException>(() =>
            new RecordPublisher(store).PreviewAsync([Spf("v=spf1 -all")], [], false, CancellationToken.None)
        );

        Assert.Contains("127.0.0.1", e.Message);
    }
}
