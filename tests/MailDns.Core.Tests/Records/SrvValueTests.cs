using CsCheck;
using MailDns.Core.Records;

namespace MailDns.Core.Tests.Records;

public class SrvValueTests
{
    private static readonly Gen<string> Label = Gen.String[Gen.Char["a-z0-9"], 1, 20];

    private static readonly Gen<SrvValue> Values = Gen.Select(
        Gen.Int[0, 65535],
        Gen.Int[0, 65535],
        Gen.Int[0, 65535],
        Label.Array[1, 4].Select(labels => string.Join('.', labels)),
        (priority, weight, port, target) => new SrvValue(priority, weight, port, target)
    );

    [Fact]
    public void Every_value_reads_back_from_its_presentation_form()
    {
        Values.Sample(value => SrvValue.Parse(value.ToString()) == value, iter: 5_000);
    }

    [Fact]
    public void The_canonical_form_is_a_fixed_point_whatever_the_case_spacing_or_trailing_dot()
    {
        Gen.Select(Values, Gen.Bool, Gen.Bool)
            .Sample(
                t =>
                {
                    var (value, upper, tabs) = t;
                    var spelled = $"{value.Priority}{(tabs ? "\t" : "  ")}{value.Weight} {value.Port} "
                        + (upper ? value.Target.ToUpperInvariant() : value.Target + ".");
                    var canonical = SrvValue.Canonical(spelled);
                    return canonical == value.ToString() && SrvValue.Canonical(canonical) == canonical;
                },
                iter: 2_000
            );
    }

    [Theory]
    [InlineData("0 1 587")] // RFC 2782: priority weight port target, four fields
    [InlineData("0 1 65536 smtp.example.com.")] // 16-bit fields
    [InlineData("-1 1 587 smtp.example.com.")]
    [InlineData("v=spf1 -all")]
    public void What_is_not_an_srv_record_does_not_parse_and_stays_as_it_is(string text)
    {
        Assert.Null(SrvValue.Parse(text));
        Assert.Equal(text, SrvValue.Canonical(text));
    }

    [Theory]
    [InlineData("_submission._tcp.example.com", "SRV")]
    [InlineData("_submissions._tcp.Example.COM.", "SRV")]
    [InlineData("_smtp._tls.example.com", "TXT")]
    [InlineData("example.com", "TXT")]
    [InlineData("x._submission._tcp.example.com", "TXT")]
    public void The_record_type_follows_from_the_name(string name, string type)
    {
        Assert.Equal(type, RecordTypes.At(name));
    }
}
