using System.Text.Json.Nodes;
using MailDns.Operator.IO;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Reconcile;

/// <summary>`maildns reconcile --now` to watch a rotation without waiting, and the lock on its state directory.</summary>
public class ReconcileClockAndLockTests
{
    private static CliResult Reconcile(string state, params string[] extra) =>
        MailDns.Testing.Cli.Run(["reconcile", Repo.PathOf("examples", "quickstart"), "--state", state, "--output", "json", .. extra]);

    private static string[] Phases(CliResult run) =>
        JsonNode.Parse(run.Out)!.AsArray()[0]!["status"]!["dkim"]!["keys"]!.AsArray()
            .Select(k => $"{k!["selector"]}={k["phase"]}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void With_now_a_user_watches_the_first_keys_activate_a_day_later_without_waiting()
    {
        using var state = new TempDir();

        var first = Reconcile(state.Path, "--now", "2026-03-01T09:00:00Z");
        var dayLater = Reconcile(state.Path, "--now", "2026-03-02T09:30:00Z");

        Assert.True(first.Exit == 0, first.Error);
        Assert.Equal(["ed20260301=Verified", "rsa20260301=Verified"], Phases(first)); // selectors dated by --now
        Assert.True(dayLater.Exit == 0, dayLater.Error);
        Assert.Equal(["ed20260301=Active", "rsa20260301=Active"], Phases(dayLater)); // after the 1d propagation delay
    }

    [Fact]
    public void The_first_run_reports_the_records_it_created_and_the_second_finds_them_unchanged()
    {
        using var state = new TempDir();

        var first = Reconcile(state.Path, "--now", "2026-03-01T09:00:00Z");
        var second = Reconcile(state.Path, "--now", "2026-03-01T09:05:00Z");

        static (int, int, int, int) Counts(CliResult run)
        {
            var publish = JsonNode.Parse(run.Out)!.AsArray()[0]!["status"]!["publish"]!;
            return ((int)publish["created"]!, (int)publish["updated"]!, (int)publish["deleted"]!, (int)publish["unchanged"]!);
        }

        Assert.Equal((5, 0, 0, 0), Counts(first));
        Assert.Equal((0, 0, 0, 5), Counts(second));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public void A_now_that_is_not_a_time_is_a_usage_error_naming_the_option(string now)
    {
        using var state = new TempDir();

        var run = Reconcile(state.Path, "--now", now);

        Assert.Equal(2, run.Exit);
        Assert.Contains("--now", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state.Path, "keys")));
    }

    [Fact]
    public void A_second_run_on_a_state_directory_in_use_exits_2_and_touches_nothing()
    {
        using var state = new TempDir();
        using (var held = StateLock.TryAcquire(state.Path))
        {
            Assert.NotNull(held);

            var second = Reconcile(state.Path);

            Assert.Equal(2, second.Exit);
            Assert.Contains("in use by another run", second.Error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(state.Path, "keys")));
        }

        Assert.Equal(0, Reconcile(state.Path).Exit); // released with its holder
    }
}
