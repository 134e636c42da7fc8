using MailDns.Core.Dkim;
using MailDns.Core.Txt;
using MailDns.Testing;

namespace MailDns.Operator.Tests.Cli;

public class KeygenCommandTests
{
    [Theory]
    [InlineData("rsa-sha256", "rsa")]
    [InlineData("ed25519-sha256", "ed25519")]
    public void Keygen_writes_a_pem_that_openssl_reads_and_a_record_that_holds_its_public_key(string algorithm, string keyType)
    {
        using var dir = new TempDir();

        var result = MailDns.Testing.Cli.Run(
            "keygen",
            "--domain",
            "mail.example.com",
            "--selector",
            "s1",
            "--algorithm",
            algorithm,
            "--out",
            dir.Path
        );

        Assert.Equal(0, result.Exit);
        var keyFile = Path.Combine(dir.Path, "s1.key");
        var (exit, text) = Tool.Run("openssl", "pkey", "-in", keyFile, "-noout", "-text");
        Assert.True(exit == 0, text);
        Assert.Contains(keyType == "rsa" ? "Private-Key: (2048 bit" : "ED25519 Private-Key", text, StringComparison.Ordinal);

        var line = File.ReadAllText(Path.Combine(dir.Path, "s1.txt"));
        Assert.StartsWith("s1._domainkey.mail.example.com.\t3600\tIN\tTXT\t", line, StringComparison.Ordinal);
        var strings = TxtStrings.ParsePresentation(line[(line.IndexOf('"', StringComparison.Ordinal))..].TrimEnd());
        var lint = DkimKeyRecordLinter.Lint(strings);
        Assert.True(lint.Valid, string.Join("; ", lint.Findings));
        Assert.Equal(keyType, lint.KeyType);
        Assert.Equal(DkimKeyMaterial.FromPem(File.ReadAllText(keyFile)).PublicKey, lint.PublicKey);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.DoesNotContain("PRIVATE", result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_never_overwrites_an_existing_key()
    {
        using var dir = new TempDir();
        var existing = dir.Write("s1.key", "precious");

        var result = MailDns.Testing.Cli.Run(
            "keygen",
            "--domain",
            "mail.example.com",
            "--selector",
            "s1",
            "--algorithm",
            "ed25519-sha256",
            "--out",
            dir.Path
        );

        Assert.Equal(2, result.Exit);
        Assert.Equal("precious", File.ReadAllText(existing));
        Assert.False(File.Exists(Path.Combine(dir.Path, "s1.txt")));
        Assert.Contains("refusing to overwrite", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--selector", "Bad_Selector", "--selector")]
    [InlineData("--size", "512", "--size")]
    [InlineData("--size", "2047", "--size")]
    [InlineData("--domain", "not a domain", "--domain")]
    public void Bad_arguments_are_usage_errors_that_name_the_option(string option, string value, string named)
    {
        using var dir = new TempDir();
        var args = new Dictionary<string, string>
        {
            ["--domain"] = "mail.example.com",
            ["--selector"] = "s1",
            [option] = value,
        };

        var result = MailDns.Testing.Cli.Run(["keygen", .. args.SelectMany(kv => new[] { kv.Key, kv.Value }), "--out", dir.Path]);

        Assert.Equal(2, result.Exit);
        Assert.Contains(named, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_size_with_ed25519_is_refused()
    {
        using var dir = new TempDir();

        var result = MailDns.Testing.Cli.Run(
            "keygen",
            "--domain",
            "mail.example.com",
            "--selector",
            "s1",
            "--algorithm",
            "ed25519-sha256",
            "--size",
            "2048",
            "--out",
            dir.Path
        );

        Assert.Equal(2, result.Exit);
    }
}
