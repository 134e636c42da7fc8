using CsCheck;
using MailDns.Core.Bimi;
using MailDns.Core.Dkim;
using MailDns.Core.Dkim.Storage;
using MailDns.Core.Dmarc;
using MailDns.Core.MtaSts;
using MailDns.Core.Names;
using MailDns.Core.Publishing;
using MailDns.Core.Publishing.Pulumi;
using MailDns.Core.Spf;
using MailDns.Core.TagLists;
using MailDns.Core.TlsRpt;
using MailDns.Core.Txt;

namespace MailDns.Core.Tests;

/// <summary>
/// Every parser and linter fed 100,000 inputs: half arbitrary text, half built from the pieces its grammar is made
/// of so it gets past its first check. No exception escapes, except the one a parser documents (FormatException
/// from the key store, which the operator turns into InvalidKeySecret).
/// </summary>
public class FuzzTests
{
    public const int Inputs = 100_000;

    private static Gen<string> Pieces(params string[] pieces) => Gen.OneOf(pieces).Array[0, 40].Select(string.Concat);

    private static Gen<string> TextOr(Gen<string> structured) => Gen.Frequency((1, Gen.String), (1, structured));

    private static readonly Gen<string> RecordText = TextOr(
        Pieces(
            "v=spf1",
            "v=DMARC1",
            "v=DKIM1",
            "v=STSv1",
            "v=TLSRPTv1",
            "v=BIMI1",
            " ",
            ";",
            "=",
            ":",
            "/",
            "%{",
            "}",
            "%",
            "{d}",
            "{i}",
            "{l1r}",
            "ip4:",
            "ip6:",
            "include:",
            "exists:",
            "a",
            "mx",
            "ptr",
            "all",
            "-",
            "+",
            "~",
            "?",
            "redirect=",
            "exp=",
            "p=",
            "sp=",
            "pct=",
            "k=rsa",
            "k=ed25519",
            "rua=",
            "ruf=",
            "mailto:",
            "https://",
            "!",
            "10m",
            "@",
            "example.com",
            ".",
            "h=sha1",
            "t=y:s",
            "l=",
            "a=",
            "id=",
            "mode=",
            "max_age=",
            "0",
            "255",
            "65536",
            "/33",
            "/129",
            "//",
            "::",
            "1.2.3.4",
            "MIIB",
            "AAAA",
            "=",
            ",",
            "\"",
            "\\",
            "\t",
            "\u00e9",
            "\0"
        )
    );

    private static readonly Gen<string> ZoneText = TextOr(
        Pieces(
            "$ORIGIN ",
            "$TTL ",
            "$INCLUDE ",
            "@",
            " ",
            "\t",
            "\n",
            "IN ",
            "TXT ",
            "SOA ",
            "NS ",
            "A ",
            "CNAME ",
            "\"",
            "\\\"",
            "\\",
            "\\065",
            "(",
            ")",
            ";",
            "example.com.",
            "mail",
            "_dmarc",
            "s1._domainkey",
            "3600 ",
            "1 3600 600 86400 60",
            "v=spf1 -all",
            "v=DKIM1; p=",
            "*"
        )
    );

    private static readonly Gen<string> JsonText = TextOr(
        Pieces(
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"",
            "\"steps\"",
            "\"op\"",
            "\"urn\"",
            "\"create\"",
            "\"changeSummary\"",
            "\"diagnostics\"",
            "\"severity\"",
            "\"error\"",
            "\"message\"",
            "\"summaryEvent\"",
            "\"resourceChanges\"",
            "\"result\"",
            "\"succeeded\"",
            "\"resOpFailedEvent\"",
            "\"metadata\"",
            "\"diagnosticEvent\"",
            "1",
            "-1",
            "1e99",
            "2147483648",
            "null",
            "true",
            "\"x\"",
            "\n",
            " "
        )
    );

    private static readonly Gen<string> ManifestJson = TextOr(
        Pieces(
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"domain\"",
            "\"keys\"",
            "\"usedSelectors\"",
            "\"handledRotateRequests\"",
            "\"activeSelectors\"",
            "\"selector\"",
            "\"series\"",
            "\"algorithm\"",
            "\"bits\"",
            "\"phase\"",
            "\"publicKey\"",
            "\"createdAt\"",
            "\"s1\"",
            "\"ed\"",
            "\"Active\"",
            "\"Nonsense\"",
            "\"2026-01-01T00:00:00Z\"",
            "\"not a date\"",
            "2048",
            "-1",
            "null",
            "true",
            "\"ed25519-sha256\""
        )
    );

    public static TheoryData<string> Targets() =>
        [
            "spf-lint",
            "spf-parse",
            "dmarc-lint",
            "dkim-lint",
            "mta-sts-lint",
            "tls-rpt-lint",
            "bimi-lint",
            "tag-list",
            "report-uri",
            "txt-presentation",
            "duration",
            "host-port",
            "dkim-algorithm",
            "zone-file",
            "pulumi-preview",
            "pulumi-events",
            "key-store",
        ];

    private static (Gen<string> Gen, Action<string> Parse) Target(string name) =>
        name switch
        {
            "spf-lint" => (RecordText, s => SpfLinter.Lint(s)),
            "spf-parse" => (RecordText, s => SpfParser.Parse(s)),
            "dmarc-lint" => (RecordText, s => DmarcLinter.Lint(s)),
            "dkim-lint" => (RecordText, s => DkimKeyRecordLinter.Lint(s)),
            "mta-sts-lint" => (RecordText, s => MtaStsLinter.Lint(s)),
            "tls-rpt-lint" => (RecordText, s => TlsRptLinter.Lint(s)),
            "bimi-lint" => (RecordText, s => BimiLinter.Lint(s)),
            "tag-list" => (RecordText, s => TagList.Parse(s, "FZ", lowerCaseNames: s.Length % 2 == 0)),
            "report-uri" => (RecordText, s => ReportUri.Parse(s, allowSizeLimit: s.Length % 2 == 0)),
            "txt-presentation" => (ZoneText, s => TxtStrings.ParsePresentation(s)),
            "duration" => (
                TextOr(Pieces("1", "90", "d", "h", "m", "s", "w", "ms", "-", ".", " ", "9999999999999")),
                s => DurationText.TryParse(s, out _)
            ),
            "host-port" => (
                TextOr(Pieces("127.0.0.1", "[", "]", "::1", ":", "53", "65536", "-1", "example.com", ".", " ")),
                s => HostPort.TryParse(s, 53, out _, out _)
            ),
            "dkim-algorithm" => (RecordText, s => DkimAlgorithmText.TryParse(s, out _)),
            "zone-file" => (ZoneText, s => ZoneFileEditor.Read(s, "example.com")),
            "pulumi-preview" => (JsonText, s => PulumiOutput.ParsePreview(s)),
            "pulumi-events" => (JsonText, s => PulumiOutput.ParseEvents(s.Split('\n'))),
            "key-store" => (ManifestJson, s => KeyStoreParse(s)),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such target"),
        };

    /// <summary>The key store documents FormatException for a hand-edited or damaged Secret; nothing else may escape.</summary>
    private static void KeyStoreParse(string manifest)
    {
        try
        {
            MtaKeyFiles.Parse(
                new Dictionary<string, string> { [MtaKeyFiles.Manifest] = manifest, ["s1.key"] = "-----BEGIN PRIVATE KEY-----\n" }
            );
        }
        catch (FormatException) { }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void No_exception_escapes_a_parser_or_linter_over_a_hundred_thousand_inputs(string target)
    {
        var (gen, parse) = Target(target);
        gen.Sample(parse, iter: Inputs);
    }
}
