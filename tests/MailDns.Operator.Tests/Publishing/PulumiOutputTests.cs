using MailDns.Core.Publishing.Pulumi;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>The --json parsers over real pulumi CLI output (../shared/pulumi-samples, copied verbatim from the Pulumi sources).</summary>
public class PulumiOutputTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(Repo.Root, "..", "shared", "pulumi-samples", name));

    [Fact]
    public void The_preview_digest_gives_steps_and_the_change_summary()
    {
        var json = Sample("preview-json.TestPreviewJSON-2019.go-template.json").Replace("%[1]s", "dev", StringComparison.Ordinal);

        var (steps, summary, errors) = PulumiOutput.ParsePreview(json);

        Assert.Equal(["create", "create"], steps.Select(s => s.Op));
        Assert.Equal("pulumi-nodejs:dynamic:Resource", steps[1].Type);
        Assert.Equal("res", steps[1].Name);
        Assert.Equal(2, summary["create"]);
        Assert.Empty(errors);
    }

    [Fact]
    public void An_up_event_stream_gives_the_resource_changes()
    {
        var report = PulumiOutput.ParseEvents(Sample("event-log.up.jsonl").Split('\n'));

        Assert.Equal((1, 5), (report.Count("create"), report.Count("same")));
        Assert.Empty(report.FailedResources);
    }

    [Fact]
    public void A_failed_operation_names_its_resource()
    {
        var report = PulumiOutput.ParseEvents(Sample("event-log.failed-stacks-dont-rewrite-operations.jsonl").Split('\n'));

        Assert.Equal("urn:pulumi:dev::test::pulumi-python:dynamic:Resource::test-x", Assert.Single(report.FailedResources).Urn);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public void An_engine_error_without_a_resource_is_an_error_with_its_colour_markup_removed()
    {
        var report = PulumiOutput.ParseEvents(Sample("engine-eventstream.TestBadResourceType.jsonl").Split('\n'));

        var error = Assert.Single(report.Errors);
        Assert.StartsWith("an unhandled error occurred: rpc error", error, StringComparison.Ordinal);
        Assert.DoesNotContain("<{%", error, StringComparison.Ordinal);
        Assert.False(report.Succeeded);
    }

    [Fact]
    public void An_interrupted_update_parses_without_throwing_even_with_a_cut_last_line()
    {
        var lines = Sample("event-log.up-interrupted.jsonl").Split('\n').ToList();
        lines.Add("{\"sequence\":99,\"timestamp\":1,\"resourcePreEv");

        var report = PulumiOutput.ParseEvents(lines);

        Assert.NotNull(report);
    }

    [Theory]
    [InlineData(3, "authentication failed")]
    [InlineData(4, "a resource operation failed")]
    [InlineData(6, "the stack was not found")]
    [InlineData(9, "the operation timed out")]
    [InlineData(42, "exited with code 42")]
    public void Exit_codes_map_to_reasons(int code, string reason) =>
        Assert.StartsWith(reason, PulumiOutput.ExitReason(code), StringComparison.Ordinal);
}
