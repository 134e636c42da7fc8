using System.CommandLine;
using System.Text.RegularExpressions;
using MailDns.Core.Api;
using MailDns.Core.Dkim;
using MailDns.Core.Names;
using MailDns.Core.Records;
using MailDns.Operator.IO;

namespace MailDns.Operator.Cli;

/// <summary><c>maildns keygen</c>: one DKIM key pair as files an MTA and a zone file can use directly.</summary>
public static partial class KeygenCommand
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex SelectorRegex();

    public static Command Create(Console2 console)
    {
        var domain = new Option<string>("--domain") { Required = true, Description = "The signing domain (d=)." };
        var selector = new Option<string>("--selector") { Required = true, Description = "The selector (s=)." };
        var algorithm = new Option<string>("--algorithm")
        {
            Description = "rsa-sha256 (default) or ed25519-sha256.",
            DefaultValueFactory = _ => DkimAlgorithmText.RsaSha256,
        };
        algorithm.AcceptOnlyFromAmong(DkimAlgorithmText.RsaSha256, DkimAlgorithmText.Ed25519Sha256);
        var size = new Option<int?>("--size") { Description = "RSA modulus size in bits, 1024-4096 in steps of 8 (default 2048)." };
        var ttl = new Option<int>("--ttl") { Description = "TTL of the record in S.txt.", DefaultValueFactory = _ => Defaults.Ttl };
        var outDir = new Option<string>("--out")
        {
            Required = true,
            Description = "Directory for S.key (PKCS#8 PEM) and S.txt (zone-file record).",
        };
        var command = new Command(
            "keygen",
            "Generate a DKIM key: DIR/S.key (PKCS#8 v1 PEM, mode 0600) and DIR/S.txt (the zone-file TXT record)."
        )
        {
            domain,
            selector,
            algorithm,
            size,
            ttl,
            outDir,
        };
        command.SetAction(parse =>
            Run(
                parse.GetValue(domain)!,
                parse.GetValue(selector)!,
                parse.GetValue(algorithm)!,
                parse.GetValue(size),
                parse.GetValue(ttl),
                parse.GetValue(outDir)!,
                console
            )
        );
        return command;
    }

    public static int Run(string domain, string selector, string algorithmText, int? size, int ttl, string outDir, Console2 console)
    {
        var problem =
            !DomainName.IsValidDnsName(domain) ? $"--domain '{domain}' is not a domain name"
            : !SelectorRegex().IsMatch(selector) ? $"--selector '{selector}' must be lower-case letters, digits and hyphens (at most 63)"
            : !DkimAlgorithmText.TryParse(algorithmText, out _) ? $"--algorithm '{algorithmText}' must be rsa-sha256 or ed25519-sha256"
            : size is not null && algorithmText == DkimAlgorithmText.Ed25519Sha256 ? "--size applies only to rsa-sha256"
            : size is { } bits && RsaKeySizes.Problem(bits) is { } sizeProblem ? $"--size {size}: {sizeProblem}"
            : ttl is < 60 or > 86400 ? $"--ttl {ttl} must be between 60 and 86400"
            : null;
        if (problem is not null)
        {
            console.Error.WriteLine($"maildns keygen: {problem}");
            return ExitCodes.Usage;
        }

        var keyPath = Path.Combine(outDir, selector + ".key");
        var txtPath = Path.Combine(outDir, selector + ".txt");
        foreach (var existing in new[] { keyPath, txtPath }.Where(File.Exists))
        {
            console.Error.WriteLine($"maildns keygen: {existing} already exists; refusing to overwrite a key (move it away first)");
            return ExitCodes.Usage;
        }

        if (size is < 2048)
        {
            console.Error.WriteLine($"maildns keygen: warning: {size}-bit RSA keys are weak; RFC 8301 and M3AAWG recommend 2048");
        }

        var algorithm = DkimAlgorithmText.Parse(algorithmText);
        var key = DkimKeyMaterial.Generate(algorithm, size ?? 2048);
        var name = $"{selector}._domainkey.{DomainName.Normalize(domain)}";
        var record = new DesiredRecord(
            name,
            ttl,
            new DkimPublicKey(selector, algorithm, key.PublicKey).RecordValue,
            RecordPurpose.Dkim,
            "keygen",
            selector
        );
        try
        {
            Directory.CreateDirectory(outDir);
            AtomicFile.Write(keyPath, key.PrivateKeyPem, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            AtomicFile.Write(txtPath, ZoneFragment.AbsoluteLine(record) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"maildns keygen: {e.Message}");
            return ExitCodes.Usage;
        }

        console.Out.WriteLine($"wrote {keyPath} ({key}) and {txtPath} ({name} TXT)");
        return ExitCodes.Ok;
    }
}
