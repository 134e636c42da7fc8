using MailDns.Core.Findings;

namespace MailDns.Core.Txt;

public static class StringLengths
{
    /// <summary>A finding for every character-string above 255 octets: such a record cannot be published as given.</summary>
    public static IEnumerable<Finding> Check(IReadOnlyList<string> strings, string codePrefix)
    {
        for (var i = 0; i < strings.Count; i++)
        {
            var octets = TxtStrings.Octets(strings[i]);
            if (octets > TxtStrings.MaxOctets)
            {
                yield return Finding.Error(
                    $"{codePrefix}.string-too-long",
                    $"character-string {i + 1} is {octets} octets; a TXT character-string holds at most 255 (split it into several strings)"
                );
            }
        }
    }
}
