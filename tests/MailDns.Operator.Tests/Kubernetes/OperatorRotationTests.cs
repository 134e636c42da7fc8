using k8s;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Core.Dkim.Storage;
using MailDns.Operator.Controllers;
using MailDns.Operator.Kubernetes;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;

namespace MailDns.Operator.Tests.Kubernetes;

/// <summary>Rotation through the operator under a controlled clock: activation, a scheduled rotation, and rotateRequestedAt.</summary>
public class OperatorRotationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static Task<SendingDomain> WaitForAsync(GenericClient domains, Func<SendingDomain, bool> condition, string what) =>
        SendingDomainWait.UntilAsync(domains, "default", "mail-example-com", condition, what);

    /// <summary>
    /// Moves the clock on in steps until the condition holds: a requeue timer is armed only after the reconcile
    /// that asks for it returns, so one big jump could land before the timer exists.
    /// </summary>
    private static async Task<SendingDomain> AdvanceUntilAsync(
        FakeTimeProvider clock,
        GenericClient domains,
        TimeSpan step,
        TimeSpan atMost,
        Func<SendingDomain, bool> condition,
        string what
    )
    {
        var moved = TimeSpan.Zero;
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var sd = await domains.ReadNamespacedAsync<SendingDomain>("default", "mail-example-com");
            if (condition(sd))
            {
                return sd;
            }

            Assert.True(
                DateTime.UtcNow < deadline && moved < atMost,
                $"{what} not reached after {moved} of simulated time: "
                    + $"{string.Join(", ", sd.Status?.Dkim?.Keys?.Select(k => $"{k.Selector}={k.Phase}") ?? [])}"
            );
            clock.Advance(step);
            moved += step;
            await Task.Delay(50); // let the reconcile the clock woke run; the bounds above fail the test
        }
    }

    private static string[] Phases(SendingDomain sd) => sd.Status?.Dkim?.Keys?.Select(k => k.Phase).Order().ToArray() ?? [];

    [Fact]
    public async Task Keys_activate_after_the_propagation_delay_rotate_on_request_retire_and_rotate_again_on_schedule()
    {
        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        var (applied, output) = api.Kubectl("apply", "-f", Repo.PathOf("examples", "quickstart"));
        Assert.True(applied == 0, output);
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var stop = new CancellationTokenSource();
        var controller = OperatorServices.Create(api.Client, new ControllerOptions(null, data.Path, []), clock);
        var running = controller.RunAsync(stop.Token);
        var domains = new GenericClient(api.Client, "maildns.io", "v1alpha1", "sendingdomains", disposeClient: false);

        var first = await WaitForAsync(domains, sd => Phases(sd) is ["Verified", "Verified"], "two verified keys");
        var firstSelectors = first.Status!.Dkim!.Keys!.Select(k => k.Selector).Order().ToArray();

        var active = await AdvanceUntilAsync(
            clock,
            domains,
            TimeSpan.FromHours(1),
            TimeSpan.FromHours(30),
            sd => Phases(sd) is ["Active", "Active"],
            "activation"
        );
        Assert.True(
            clock.GetUtcNow() >= first.Status.Dkim.Keys!.Max(k => k.VerifiedAt!.Value) + TimeSpan.FromDays(1),
            "activated before the propagation delay"
        );
        Assert.Equal(firstSelectors, active.Status!.Dkim!.ActiveSelectors!.Order());
        var secret = KeySecret.Read(await api.Client.CoreV1.ReadNamespacedSecretAsync("mail-example-com-dkim", "default"));
        Assert.Equal(firstSelectors, secret.State.Active.Select(k => k.Selector).Order());

        clock.Advance(TimeSpan.FromHours(1));
        var requested = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        await domains.PatchNamespacedAsync<SendingDomain>(
            new V1Patch("{\"spec\":{\"dkim\":{\"rotateRequestedAt\":\"" + requested + "\"}}}", V1Patch.PatchType.MergePatch),
            "default",
            "mail-example-com"
        );
        await WaitForAsync(
            domains,
            sd => Phases(sd) is ["Active", "Active", "Verified", "Verified"],
            "new keys published and verified beside the active ones"
        );

        var rotated = await AdvanceUntilAsync(
            clock,
            domains,
            TimeSpan.FromHours(1),
            TimeSpan.FromHours(30),
            sd => Phases(sd) is ["Active", "Active", "Retiring", "Retiring"],
            "the switch"
        );
        Assert.Empty(rotated.Status!.Dkim!.ActiveSelectors!.Intersect(firstSelectors));
        Assert.All(rotated.Status.Dkim.Keys!.Where(k => firstSelectors.Contains(k.Selector)), k => Assert.Equal("Retiring", k.Phase));
        Assert.Equal("True", rotated.Status.Conditions!.Single(c => c.Type == "Ready").Status);

        // 91 days on: the retired keys are revoked (their clock starts now), the scheduled rotation publishes new keys.
        clock.Advance(TimeSpan.FromDays(91));
        var scheduled = await AdvanceUntilAsync(
            clock,
            domains,
            TimeSpan.FromMinutes(1),
            TimeSpan.FromHours(1),
            sd => Phases(sd) is ["Active", "Active", "Revoked", "Revoked", "Verified", "Verified"],
            "revocation and the scheduled rotation"
        );
        var zone = Path.Combine(data.Path, "zones", "example.com.zone");
        Assert.All(
            firstSelectors,
            s =>
                Assert.Contains(
                    $"{s}._domainkey.mail.example.com.\t3600\tIN\tTXT\t\"v=DKIM1; k=",
                    File.ReadAllText(zone),
                    StringComparison.Ordinal
                )
        );

        // revokeFor (7 d) later the revoked keys are withdrawn; a propagation delay after that they are gone.
        var cleaned = await AdvanceUntilAsync(
            clock,
            domains,
            TimeSpan.FromHours(2),
            TimeSpan.FromDays(12),
            sd => !sd.Status!.Dkim!.Keys!.Any(k => firstSelectors.Contains(k.Selector)),
            "deletion of the first keys"
        );
        Assert.Equal(4, cleaned.Status!.Dkim!.Keys!.Count);
        Assert.All(firstSelectors, s => Assert.DoesNotContain($"{s}._domainkey", File.ReadAllText(zone), StringComparison.Ordinal));

        await stop.CancelAsync();
        await running;
    }
}
