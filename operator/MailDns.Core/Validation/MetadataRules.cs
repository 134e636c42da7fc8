using System.Text.RegularExpressions;
using MailDns.Core.Findings;

namespace MailDns.Core.Validation;

public static partial class MetadataRules
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    /// <summary>Object names are DNS-1123 subdomains (lower case, at most 253 characters), as the API server requires.</summary>
    public static void CheckName(string? name, List<Finding> findings)
    {
        if (string.IsNullOrEmpty(name))
        {
            findings.Add(Finding.Error("metadata.name-missing", "metadata.name is required", "metadata.name"));
        }
        else if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
        {
            findings.Add(
                Finding.Error(
                    "metadata.name-invalid",
                    $"'{name}' is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.')",
                    "metadata.name"
                )
            );
        }
    }
}
