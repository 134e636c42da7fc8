using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailDns.Operator.Manifests;
using MailDns.Testing;
using YamlDotNet.RepresentationModel;

namespace MailDns.Operator.Tests.Deployment;

/// <summary>
/// The monitoring mixin (examples/monitoring): the alerting rules pass `promtool check rules` and their unit tests
/// (`promtool test rules`, Debian's prometheus package, installed by tests/run.sh), the PrometheusRule holds exactly the
/// rules file's groups, the dashboards are Grafana JSON, and every metric a rule or a panel names is one the operator
/// serves on /metrics.
/// </summary>
public sealed partial class MonitoringMixinTests
{
    private static readonly string Folder = Repo.PathOf("examples", "monitoring");

    private static JsonNode Yaml(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Folder, file))));
        return YamlToJson.Convert(stream.Documents[0].RootNode)!;
    }

    private static IEnumerable<string> Dashboards() => Directory.GetFiles(Path.Combine(Folder, "dashboards"), "*.json").Order();

    [GeneratedRegex(@"\bmaildns_[a-z_]+")]
    private static partial Regex MetricName();

    /// <summary>Every metric the rules and dashboards name, with a histogram's _bucket/_sum/_count taken back to its family.</summary>
    private static SortedSet<string> NamedMetrics()
    {
        var text = File.ReadAllText(Path.Combine(Folder, "maildns.rules.yaml")) + string.Concat(Dashboards().Select(File.ReadAllText));
        return new SortedSet<string>(
            MetricName().Matches(text).Select(m => Regex.Replace(m.Value, "_(bucket|sum|count)$", "")),
            StringComparer.Ordinal
        );
    }

    [Fact]
    public void The_rules_pass_promtool_check_and_every_alert_has_a_unit_test_that_passes()
    {
        var (checkExit, check) = Tool.Run("promtool", "check", "rules", Path.Combine(Folder, "maildns.rules.yaml"));
        Assert.True(checkExit == 0, check);

        var (testExit, test) = Tool.Run("promtool", "test", "rules", Path.Combine(Folder, "rules.test.yaml"));
        Assert.True(testExit == 0, test);

        var alerts = Yaml("maildns.rules.yaml")["groups"]!
            .AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => (string)r!["alert"]!);
        var tested = Yaml("rules.test.yaml")["tests"]!
            .AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Where(a => a!["exp_alerts"]!.AsArray().Count > 0)
            .Select(a => (string)a!["alertname"]!);
        Assert.Empty(alerts.Except(tested));
    }

    [Fact]
    public void The_prometheus_rule_holds_exactly_the_groups_of_the_rules_file()
    {
        var rule = Yaml("prometheusrule.yaml");

        Assert.Equal("monitoring.coreos.com/v1", (string)rule["apiVersion"]!);
        Assert.Equal("PrometheusRule", (string)rule["kind"]!);
        Assert.True(JsonNode.DeepEquals(Yaml("maildns.rules.yaml")["groups"], rule["spec"]!["groups"]), "prometheusrule.yaml differs");
    }

    [Fact]
    public void The_dashboards_are_grafana_json_with_a_datasource_variable_and_queries_in_every_panel()
    {
        var titles = new List<string>();
        foreach (var file in Dashboards())
        {
            var dashboard = JsonNode.Parse(File.ReadAllText(file))!;
            titles.Add((string)dashboard["title"]!);
            Assert.Contains(dashboard["templating"]!["list"]!.AsArray(), v => (string)v!["type"]! == "datasource");
            Assert.All(dashboard["panels"]!.AsArray(), p => Assert.NotEmpty(p!["targets"]!.AsArray()));
        }

        Assert.Equal(
            [
                "MailDnsOperator / DKIM rotation",
                "MailDnsOperator / DMARC reports and rollout",
                "MailDnsOperator / Domain health",
                "MailDnsOperator / Reputation",
            ],
            titles.Order(StringComparer.Ordinal)
        );
    }

    [Fact]
    public async Task Every_metric_the_rules_and_dashboards_name_is_served_by_the_operator()
    {
        var named = NamedMetrics();
        Assert.Contains("maildns_blocklist_listed", named);

        await using var api = await ApiServer.StartAsync();
        using var data = new TempDir();
        using var process = OperatorProcess.Start(api.Host.BaseAddress, data.Path);
        try
        {
            using var http = new HttpClient();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string served;
            while (true)
            {
                try
                {
                    served = await http.GetStringAsync(new Uri(process.Metrics, "metrics"));
                    break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.Process.HasExited)
                {
                    await Task.Delay(200); // the listener is starting; the deadline fails the test
                }
                catch (HttpRequestException e)
                {
                    throw new InvalidOperationException($"no /metrics ({e.Message}); the operator's output:\n{process.Log}", e);
                }
            }

            var families = served
                .Split('\n')
                .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
                .Select(l => l.Split(' ')[2])
                .ToHashSet(StringComparer.Ordinal);
            var missing = named.Where(m => !families.Contains(m)).ToList();
            Assert.True(missing.Count == 0, $"not served: {string.Join(", ", missing)}");
        }
        finally
        {
            if (!process.Process.HasExited)
            {
                process.Signal(15);
                process.Process.WaitForExit(30_000);
            }
        }
    }
}
