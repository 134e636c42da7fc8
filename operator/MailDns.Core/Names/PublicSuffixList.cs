namespace MailDns.Core.Names;

/// <summary>
/// The Public Suffix List (the snapshot shipped as <c>public_suffix_list.dat</c>): the organisational domain where no
/// DNS is asked (<c>validate</c>, <c>render</c>), and the fallback when the RFC 9989 tree walk finds no DMARC record.
/// Rules as the list defines them: the longest matching rule wins, "*" matches one label, "!" marks an exception,
/// and a name no rule matches has the public suffix of its last label.
/// </summary>
public sealed class PublicSuffixList
{
    private readonly HashSet<string> rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> exceptions = new(StringComparer.Ordinal);

    private static readonly Lazy<PublicSuffixList> Shipped = new(() =>
    {
        using var stream =
            typeof(PublicSuffixList).Assembly.GetManifestResourceStream("public_suffix_list.dat")
            ?? throw new InvalidOperationException("the Public Suffix List snapshot is not embedded");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    });

    public static PublicSuffixList Default => Shipped.Value;

    public int RuleCount => rules.Count + wildcards.Count + exceptions.Count;

    public static PublicSuffixList Parse(string text)
    {
        var list = new PublicSuffixList();
        foreach (var raw in text.Split('\n'))
        {
            // Each line is only read up to its first whitespace; comments start with //.
            var line = raw.Trim().Split(' ', '\t')[0];
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            line = DomainName.Normalize(ToAscii(line));
            if (line.StartsWith("!", StringComparison.Ordinal))
            {
                list.exceptions.Add(line[1..]);
            }
            else if (line.StartsWith("*.", StringComparison.Ordinal))
            {
                list.wildcards.Add(line[2..]);
            }
            else
            {
                list.rules.Add(line);
            }
        }

        return list;
    }

    /// <summary>The public suffix of <paramref name="domain"/> (co.uk for mail.example.co.uk).</summary>
    public string PublicSuffix(string domain)
    {
        var labels = DomainName.Normalize(domain).Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var candidate = string.Join('.', labels[i..]);
            if (exceptions.Contains(candidate))
            {
                return string.Join('.', labels[(i + 1)..]);
            }

            if (i > 0 && wildcards.Contains(candidate))
            {
                return string.Join('.', labels[(i - 1)..]);
            }

            if (rules.Contains(candidate))
            {
                return candidate;
            }
        }

        return labels[^1];
    }

    /// <summary>The registrable domain: the public suffix and one more label; the name itself when it is a suffix.</summary>
    public string OrganizationalDomain(string domain)
    {
        var name = DomainName.Normalize(domain);
        var suffix = PublicSuffix(name);
        if (name == suffix)
        {
            return name;
        }

        var labels = name.Split('.');
        return string.Join('.', labels[^(suffix.Split('.').Length + 1)..]);
    }

    private static string ToAscii(string label)
    {
        try
        {
            var prefix = label.StartsWith('!') ? "!"
                : label.StartsWith("*.", StringComparison.Ordinal) ? "*."
                : "";
            return prefix + new System.Globalization.IdnMapping().GetAscii(label[prefix.Length..]);
        }
        catch (ArgumentException)
        {
            return label;
        }
    }
}
