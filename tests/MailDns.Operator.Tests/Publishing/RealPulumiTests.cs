using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Records;
using MailDns.Operator.Publishing.Pulumi;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Publishing;

/// <summary>Runs only where a real pulumi CLI is on PATH (it cannot be installed on the CI machines).</summary>
public sealed class RealPulumiFactAttribute : FactAttribute
{
    public RealPulumiFactAttribute()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "pulumi")));
        if (!onPath)
        {
            Skip = "the pulumi CLI is not on PATH";
        }
    }
}

public class RealPulumiTests
{
    [RealPulumiFact]
    public async Task The_real_cli_previews_a_rendered_program_against_a_local_file_backend()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "backend"));
        var workspace = new PulumiWorkspace(
            Path.Combine(dir.Path, "work"),
            "real",
            "file://" + Path.Combine(dir.Path, "backend"),
            "test-passphrase",
            new Dictionary<string, string>()
        );
        var stack = new PulumiStack(
            "real",
            "digitalocean",
            "example.com",
            new Dictionary<string, string> { ["domain"] = "example.com" },
            [new("example.com", 300, "v=spf1 -all", RecordPurpose.Spf, "a/b")]
        );

        var preview = await new PulumiPublisher(new PulumiCli("pulumi", TimeSpan.FromMinutes(5))).PreviewAsync(
            stack,
            workspace,
            CancellationToken.None
        );

        Assert.True(preview.Succeeded, preview.Reason + preview.Diagnostics);
        Assert.Contains(preview.Steps, s => s.Op == "create" && s.Type == "digitalocean:index/dnsRecord:DnsRecord");
    }
}
