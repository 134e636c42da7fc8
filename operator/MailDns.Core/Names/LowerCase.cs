using System.Text;

namespace MailDns.Core.Names;

/// <summary>
/// ToLowerInvariant that returns text already in lower-case ASCII as it is without walking it: with invariant
/// globalization (the image's) the runtime checks such text character by character through its Unicode tables, and
/// record parsing lower-cases every tag, mechanism and name it reads, many times in each health check.
/// </summary>
public static class LowerCase
{
    public static string Of(string text) =>
        Ascii.IsValid(text) && !text.AsSpan().ContainsAnyInRange('A', 'Z') ? text : text.ToLowerInvariant();
}
