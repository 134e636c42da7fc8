using MailDns.Testing;

namespace MailDns.Operator.Tests.Architecture;

/// <summary>Lines of at most 140 characters in every C# file of the product and its tests (.editorconfig max_line_length).</summary>
public class LineLengthTests
{
    private const int Limit = 140;

    [Fact]
    public void No_source_line_is_longer_than_the_limit()
    {
        var files = new[] { "operator", "pulumi", "tests" }
            .Select(d => Repo.PathOf(d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToList();

        var tooLong = files.SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Number: i + 1, line.Length)))
            .Where(l => l.Length > Limit)
            .Select(l => $"{Path.GetRelativePath(Repo.Root, l.File)}:{l.Number} ({l.Length})")
            .ToList();

        Assert.True(files.Count > 100, $"only {files.Count} files found");
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} line(s) over {Limit}: {string.Join(", ", tooLong.Take(20))}");
    }
}
