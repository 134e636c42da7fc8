namespace MailDns.Core.Api;

public static class ApiGroup
{
    public const string Name = "maildns.io";
    public const string Version = "v1alpha1";
    public const string ApiVersion = Name + "/" + Version;
}

/// <summary>Annotations the product reads on a SendingDomain.</summary>
public static class Annotations
{
    /// <summary>
    /// When set to a new value (`kubectl maildns check`, an RFC 3339 time by convention), the operator runs the domain's
    /// health and reputation checks at once instead of waiting for their schedules.
    /// </summary>
    public const string CheckRequestedAt = ApiGroup.Name + "/check-requested-at";

    public static string? CheckRequested(SendingDomain domain) =>
        domain.Metadata.Annotations is { } annotations && annotations.TryGetValue(CheckRequestedAt, out var at) ? at : null;

    /// <summary>
    /// The request when it is newer than the last check (a time after it, or a value that is not a time), else null: a new
    /// term of leadership does not run again every check that was asked for before.
    /// </summary>
    public static string? CheckRequestedSince(SendingDomain domain, DateTimeOffset? lastCheck) =>
        CheckRequested(domain) is { } at
        && (
            lastCheck is null
            || !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, out var when)
            || when > lastCheck
        )
            ? at
            : null;
}
