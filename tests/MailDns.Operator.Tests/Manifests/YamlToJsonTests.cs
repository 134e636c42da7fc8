using MailDns.Operator.Manifests;

namespace MailDns.Operator.Tests.Manifests;

public class YamlToJsonTests
{
    [Theory]
    [InlineData("v: 300", "{\"v\":300}")]
    [InlineData("v: '300'", "{\"v\":\"300\"}")]
    [InlineData("v: [\"0\", '1', d, s]", "{\"v\":[\"0\",\"1\",\"d\",\"s\"]}")]
    [InlineData("v: true", "{\"v\":true}")]
    [InlineData("v: yes", "{\"v\":true}")]
    [InlineData("v: off", "{\"v\":false}")]
    [InlineData("v: \"true\"", "{\"v\":\"true\"}")]
    [InlineData("v: ~", "{\"v\":null}")]
    [InlineData("v:", "{\"v\":null}")]
    [InlineData("v: 1.5", "{\"v\":1.5}")]
    [InlineData("v: 0 0/15 * * * ?", "{\"v\":\"0 0/15 * * * ?\"}")]
    [InlineData("v: mailto:a@example.com", "{\"v\":\"mailto:a@example.com\"}")]
    [InlineData("v: !!str 42", "{\"v\":\"42\"}")]
    public void Scalars_convert_as_kubectl_reads_them(string yaml, string json)
    {
        var doc = Assert.Single(ManifestLoader.Parse("t.yaml", yaml));

        Assert.Equal(json, doc.Json!.ToJsonString());
    }

    [Fact]
    public void Multi_document_files_give_one_document_each_and_skip_empty_ones()
    {
        var docs = ManifestLoader.Parse("t.yaml", "---\na: 1\n---\n---\nb: 2\n...\n");

        Assert.Equal(2, docs.Count);
        Assert.Equal(5, docs[1].Line);
    }

    [Fact]
    public void A_syntax_error_names_the_line()
    {
        var doc = Assert.Single(ManifestLoader.Parse("t.yaml", "a: 1\nb: [unclosed\n"));

        Assert.NotNull(doc.ParseError);
        Assert.Contains("line", doc.ParseError, StringComparison.Ordinal);
        Assert.Null(doc.Json);
    }
}
