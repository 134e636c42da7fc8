using CsCheck;
using k8s.Models;
using MailDns.Core.Api;
using MailDns.Operator.Kubernetes;
using MailDns.Operator.Observability;
using MailDns.Testing;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace MailDns.Operator.Tests.Observability;

/// <summary>
/// The per-domain families written at scrape time: the text format's escaping and numbers (Prometheus exposition
/// format 0.0.4), a family present before its first domain, and values that depend on the time of the scrape.
/// </summary>
public class MetricsExpositionTests
{
    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.0, "0")]
    [InlineData(-1.0, "-1")]
    [InlineData(0.25, "0.25")]
    [InlineData(1_800_000_000.5, "1800000000.5")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void A_sample_value_is_written_as_Prometheus_parses_it(double value, string text) =>
        Assert.Equal(text, PrometheusText.Number(value));

    [Fact]
    public void A_label_value_escapes_the_backslash_the_double_quote_and_the_line_feed()
    {
        var writer = new StringWriter { NewLine = "\n" };
        PrometheusText.Sample(writer, "m", [("domain", "a\"b\\c\nd")], 1);
        Assert.Equal("m{domain=\"a\\\"b\\\\c\\nd\"} 1\n", writer.ToString());
    }

    [Fact]
    public void Any_label_value_reads_back_from_its_escaped_form() =>
        Gen.String.Sample(value =>
        {
            var writer = new StringWriter { NewLine = "\n" };
            PrometheusText.Sample(writer, "m", [("l", value)], 0);
            var line = writer.ToString();
            Assert.Equal(1, line.Count(c => c == '\n')); // one sample, one line
            Assert.Equal(value, Unescape(line["m{l=\"".Length..line.LastIndexOf("\"} 0\n", StringComparison.Ordinal)]));
        });

    private static string Unescape(string escaped)
    {
        var result = new System.Text.StringBuilder();
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\')
            {
                i++;
                result.Append(escaped[i] == 'n' ? '\n' : escaped[i]);
            }
            else
            {
                Assert.NotEqual('"', escaped[i]); // an unescaped quote would end the value early
                result.Append(escaped[i]);
            }
        }

        return result.ToString();
    }

    [Fact]
    public async Task A_family_is_served_before_its_first_domain_and_a_removed_domain_leaves_no_series()
    {
        var exposition = new MetricsExposition(Metrics.NewCustomRegistry());
        var gauge = exposition.Add(new DomainGauge("maildns_test_ready", "Test."));
        var text = await exposition.ScrapeAsync();
        Assert.Contains("# HELP maildns_test_ready Test.\n# TYPE maildns_test_ready gauge\n", text);
        Assert.DoesNotContain("maildns_test_ready{", text);

        gauge.Set("mail/b", 0);
        gauge.Set("mail/a", 1);
        text = await exposition.ScrapeAsync();
        Assert.Contains("\nmaildns_test_ready{domain=\"mail/a\"} 1\n", text);
        Assert.Contains("\nmaildns_test_ready{domain=\"mail/b\"} 0\n", text);

        gauge.Remove("mail/a");
        text = await exposition.ScrapeAsync();
        Assert.DoesNotContain("domain=\"mail/a\"", text);
        Assert.Contains("maildns_test_ready{domain=\"mail/b\"} 0", text);
    }

    [Fact]
    public async Task The_active_keys_age_is_the_scrapes_not_the_last_reconciles()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var metrics = new OperatorMetrics(Metrics.NewCustomRegistry(), time);
        var created = time.GetUtcNow() - TimeSpan.FromDays(1);
        var status = new SendingDomainStatus
        {
            Conditions = [new V1Condition { Type = "Ready", Status = "True" }],
            Dkim = new DkimStatus
            {
                Keys = [new DkimKeyStatus { Selector = "s1", Phase = "Active", CreatedAt = created, ActivatedAt = created }],
            },
        };
        metrics.Reconciled("mail/a", status, TimeSpan.FromMilliseconds(5), time.GetUtcNow());
        Assert.Contains("maildns_dkim_active_key_age_seconds{domain=\"mail/a\"} 86400\n", await metrics.Exposition.ScrapeAsync());

        time.Advance(TimeSpan.FromHours(1)); // no reconcile in between
        var text = await metrics.Exposition.ScrapeAsync();
        Assert.Contains("maildns_dkim_active_key_age_seconds{domain=\"mail/a\"} 90000\n", text);
        Assert.Contains("maildns_domain_ready{domain=\"mail/a\"} 1\n", text);

        metrics.Forget("mail/a");
        Assert.DoesNotContain("domain=\"mail/a\"", await metrics.Exposition.ScrapeAsync());
    }

    [Fact]
    public async Task The_whole_exposition_passes_promtools_check()
    {
        var registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(registry);
        var metrics = new OperatorMetrics(registry);
        metrics.Reconciled("mail/odd \"name\"\\", new SendingDomainStatus(), TimeSpan.FromMilliseconds(5), DateTimeOffset.UtcNow);
        using var file = new TempDir();
        var path = Path.Combine(file.Path, "metrics.txt");
        await File.WriteAllTextAsync(path, await metrics.Exposition.ScrapeAsync());

        var (exit, output) = Tool.Run("sh", "-c", $"promtool check metrics < '{path}'");
        Assert.True(exit == 0, output);
    }
}
