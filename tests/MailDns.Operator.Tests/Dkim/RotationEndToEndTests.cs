using System.Collections.Immutable;
using System.Text;
using DnsClient;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Rotation;
using MailDns.Core.Txt;
using MailDns.Operator.Dkim;
using MailDns.Operator.Dns;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Xunit.Abstractions;

namespace MailDns.Operator.Tests.Dkim;

/// <summary>
/// Real parts: BIND serving the zone on 127.0.0.1 (records changed by TSIG-signed dynamic updates), the
/// directory key store laid out like a mounted Secret, MimeKit signing with the key(s) the store marks active and
/// verifying against what BIND serves at that instant. Only the clock is simulated.
/// </summary>
public class RotationEndToEndTests(ITestOutputHelper output)
{
    private const string Domain = "mail.example.com";
    private const string Owner = "mail/sd";

    [Fact]
    public async Task Mail_signed_with_the_active_keys_verifies_against_bind_at_every_instant_of_a_dual_signing_rotation()
    {
        using var bind = new BindServer("example.com");
        using var keysDir = new TempDir();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new DirectoryKeyStore(keysDir.Path);
        var runner = new DkimRotationRunner(store, new NsupdatePublisher(bind), new DnsSelectorObserver([bind.Endpoint], time), time);
        var settings = new RotationSettings(
            [new SeriesSettings("rsa", DkimAlgorithm.RsaSha256, 2048), new SeriesSettings("ed", DkimAlgorithm.Ed25519Sha256, 256)],
            Interval: TimeSpan.FromDays(3),
            PropagationDelay: TimeSpan.FromHours(2),
            RetireAfter: TimeSpan.FromDays(1),
            RevokeFor: TimeSpan.FromDays(1),
            RotateRequestedAt: null,
            Compromised: ImmutableHashSet<string>.Empty
        );
        var locator = new BindKeyLocator(bind.Client());
        var signedEarlier = new Dictionary<string, MimeMessage>(StringComparer.Ordinal); // the first message signed with each key
        var activeSeen = new HashSet<string>(StringComparer.Ordinal);
        int verified = 0,
            revokedFailures = 0;

        for (var hour = 0; hour < 24 * 12; hour++)
        {
            if (hour == 24 * 5)
            {
                settings = settings with { RotateRequestedAt = time.GetUtcNow() }; // a manual rotation mid-run
            }

            await runner.StepAsync(Owner, Domain, settings, CancellationToken.None);
            await runner.SaveProgressAsync(CancellationToken.None);
            var keys = (await store.LoadAsync(Owner, CancellationToken.None))!;
            var mounted = store.DirectoryOf(Owner);

            // What an MTA does: read "active", sign with each listed key file.
            var active = (await File.ReadAllLinesAsync(Path.Combine(mounted, "active"))).Where(l => l.Length > 0).ToList();
            foreach (var selector in active)
            {
                activeSeen.Add(selector);
                var message = Sign(selector, keys.State.Find(selector)!.Algorithm, Path.Combine(mounted, selector + ".key"), hour);
                Assert.True(
                    await VerifyAsync(message, locator),
                    $"hour {hour}: mail signed with active {selector} failed to verify against BIND"
                );
                verified++;
                signedEarlier.TryAdd(selector, message);
            }

            // Mail signed earlier verifies as long as its key is active or retiring, and fails once the key is revoked.
            foreach (var (selector, message) in signedEarlier.ToList())
            {
                var phase = keys.State.Find(selector)?.Phase;
                if (phase is KeyPhase.Active or KeyPhase.Retiring)
                {
                    Assert.True(
                        await VerifyAsync(message, locator),
                        $"hour {hour}: earlier mail signed with {selector} ({phase}) no longer verifies"
                    );
                    verified++;
                }
                else if (phase is KeyPhase.Revoked)
                {
                    Assert.False(await VerifyAsync(message, locator), $"hour {hour}: mail signed with revoked {selector} still verifies");
                    revokedFailures++;
                    signedEarlier.Remove(selector);
                }
            }

            time.Advance(TimeSpan.FromHours(1));
        }

        output.WriteLine($"verified={verified} revokedFailures={revokedFailures} activeSelectors={string.Join(",", activeSeen.Order())}");
        Assert.True(
            activeSeen.Count(s => s.StartsWith("rsa", StringComparison.Ordinal)) >= 4,
            "the RSA series did not rotate: " + string.Join(",", activeSeen)
        );
        Assert.True(
            activeSeen.Count(s => s.StartsWith("ed", StringComparison.Ordinal)) >= 4,
            "the Ed25519 series did not rotate: " + string.Join(",", activeSeen)
        );
        Assert.True(verified > 500, $"only {verified} verifications");
        Assert.True(revokedFailures > 0, "no revoked key was ever checked");
        var final = (await store.LoadAsync(Owner, CancellationToken.None))!;
        Assert.True(final.State.UsedSelectors.Count > final.State.Keys.Count, "no key was ever fully removed");
        foreach (var deleted in final.State.UsedSelectors.Where(s => final.State.Find(s) is null))
        {
            var answer = await new DnsClientQuery().AskAsync(
                bind.Endpoint,
                new Core.Health.DnsQuestion($"{deleted}._domainkey.{Domain}", Core.Health.DnsType.Txt),
                recursive: false,
                CancellationToken.None
            );
            Assert.NotEqual(Core.Health.LookupOutcome.Failed, answer.Outcome);
            Assert.Empty(answer.Txt);
        }
    }

    private static MimeMessage Sign(string selector, DkimAlgorithm algorithm, string keyFile, int hour)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Sender", "news@" + Domain));
        message.To.Add(new MailboxAddress("Reader", "reader@example.net"));
        message.Subject = $"hour {hour}";
        message.Date = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero).AddHours(hour);
        message.Body = new TextPart("plain") { Text = $"Signed with {selector} at hour {hour}.\n" };
        using var pem = File.OpenRead(keyFile);
        var signer = new DkimSigner(
            pem,
            Domain,
            selector,
            algorithm == DkimAlgorithm.RsaSha256 ? DkimSignatureAlgorithm.RsaSha256 : DkimSignatureAlgorithm.Ed25519Sha256
        )
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date]);
        return message;
    }

    private static async Task<bool> VerifyAsync(MimeMessage message, BindKeyLocator locator)
    {
        var verifier = new DkimVerifier(locator);
        var signature = message.Headers.First(h => h.Id == HeaderId.DkimSignature);
        try
        {
            return await verifier.VerifyAsync(message, signature);
        }
        catch (FormatException)
        {
            return false; // revoked (p= empty) or absent: no key to verify with
        }
    }

    /// <summary>The test's publisher: nsupdate with the TSIG key file, one RRset per selector.</summary>
    private sealed class NsupdatePublisher(BindServer bind) : IDkimPublisher
    {
        public Task PublishAsync(string domain, IReadOnlyList<DkimKey> keys, CancellationToken cancellationToken)
        {
            var script = new StringBuilder();
            foreach (var key in keys)
            {
                var name = $"{key.Selector}._domainkey.{domain}.";
                script.Append("update delete ").Append(name).Append(" TXT\n");
                if (key.Phase.HasRecord())
                {
                    script
                        .Append("update add ")
                        .Append(name)
                        .Append(" 300 TXT ")
                        .Append(TxtStrings.Quote(TxtStrings.Split(key.ToPublicKey().RecordValue)))
                        .Append('\n');
                }
            }

            bind.Update(script.ToString());
            return Task.CompletedTask;
        }
    }

    /// <summary>Fetches DKIM keys from the test's BIND, as a receiver's resolver would.</summary>
    private sealed class BindKeyLocator(LookupClient client) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(
            string methods,
            string domain,
            string selector,
            CancellationToken cancellationToken = default
        ) => LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

        public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(
            string methods,
            string domain,
            string selector,
            CancellationToken cancellationToken = default
        )
        {
            var response = await client.QueryAsync($"{selector}._domainkey.{domain}", QueryType.TXT, QueryClass.IN, cancellationToken);
            var txt = string.Concat(response.Answers.TxtRecords().SelectMany(r => r.Text));
            if (txt.Length == 0 || txt.TrimEnd().EndsWith("p=", StringComparison.Ordinal))
            {
                throw new FormatException($"no usable key at {selector}._domainkey.{domain}");
            }

            return GetPublicKey(txt);
        }
    }
}
