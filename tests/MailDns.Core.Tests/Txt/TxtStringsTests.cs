using CsCheck;
using MailDns.Core.Txt;

namespace MailDns.Core.Tests.Txt;

public class TxtStringsTests
{
    [Fact]
    public void Joining_a_split_value_gives_the_value_back_and_every_string_fits_255_octets()
    {
        Gen.String[Gen.Char, 0, 2000]
            .Sample(
                value =>
                {
                    var parts = TxtStrings.Split(value);
                    return TxtStrings.Join(parts) == value && parts.All(p => TxtStrings.Octets(p) <= 255) && parts.Count >= 1;
                },
                iter: 20_000
            );
    }

    [Fact]
    public void Splitting_never_cuts_a_multi_octet_character()
    {
        Gen.String[Gen.Char['\u00e0', '\u07ff'], 100, 600]
            .Sample(value => TxtStrings.Split(value).All(p => !char.IsHighSurrogate(p[^1]) && TxtStrings.Octets(p) <= 255), iter: 2_000);
    }

    [Fact]
    public void Only_the_last_string_is_shorter_than_the_limit_for_ascii_values()
    {
        var parts = TxtStrings.Split(new string('a', 600));

        Assert.Equal([255, 255, 90], parts.Select(p => p.Length));
    }

    [Fact]
    public void Presentation_form_reads_back_what_quoting_wrote()
    {
        Gen.String[Gen.Char.AlphaNumeric, 0, 700]
            .Select(Gen.String[Gen.Char[" \"\\;="], 0, 5], (a, b) => a + b)
            .Sample(
                value =>
                {
                    var parts = TxtStrings.Split(value);
                    return TxtStrings.ParsePresentation(TxtStrings.Quote(parts)).SequenceEqual(parts);
                },
                iter: 5_000
            );
    }

    [Theory]
    [InlineData("v=spf1 -all", new[] { "v=spf1 -all" })]
    [InlineData("\"v=DKIM1; p=abc\" \"def\"", new[] { "v=DKIM1; p=abc", "def" })]
    [InlineData("\"unterminated", new[] { "\"unterminated" })]
    public void A_pasted_record_is_read_bare_or_in_presentation_form(string text, string[] expected)
    {
        Assert.Equal(expected, TxtStrings.ParsePresentation(text));
    }
}
