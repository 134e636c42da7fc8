namespace MailDns.Core.Findings;

public enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>
/// One thing a linter or validator found. <see cref="Code"/> is stable (tools and tests key on it);
/// <see cref="Message"/> names the term, tag or field it is about; <see cref="Path"/> is the manifest field
/// (spec.dmarc.policy) when the finding is about a manifest.
/// </summary>
public sealed record Finding(string Code, Severity Severity, string Message, string? Path = null)
{
    public static Finding Error(string code, string message, string? path = null) => new(code, Severity.Error, message, path);

    public static Finding Warning(string code, string message, string? path = null) => new(code, Severity.Warning, message, path);

    public static Finding Info(string code, string message, string? path = null) => new(code, Severity.Info, message, path);

    public Finding At(string path) => this with { Path = path };
}

public static class SeverityText
{
    public static string ToText(this Severity severity) =>
        severity switch
        {
            Severity.Error => "error",
            Severity.Warning => "warning",
            _ => "info",
        };
}

public static class FindingList
{
    public static bool HasErrors(this IEnumerable<Finding> findings) => findings.Any(f => f.Severity == Severity.Error);
}
