namespace MailDns.Core.Api;

/// <summary>
/// Every condition reason the product writes, named once. The reasons a retry cannot mend are listed in
/// <see cref="WaitsForAChange"/>: the next reconcile comes from a change the informers see, not from backoff.
/// </summary>
public static class ConditionReasons
{
    // Ready
    public const string Published = "Published";
    public const string NotVerified = "NotVerified";
    public const string InvalidSpec = "InvalidSpec";
    public const string ProviderNotFound = "ProviderNotFound";
    public const string DomainConflict = "DomainConflict";
    public const string ProviderUnsupported = "ProviderUnsupported";
    public const string ProviderUnreachable = "ProviderUnreachable";
    public const string SecretNotFound = "SecretNotFound";
    public const string InvalidSecret = "InvalidSecret";
    public const string InvalidKeySecret = "InvalidKeySecret";
    public const string CredentialsRejected = "CredentialsRejected";
    public const string PublishFailed = "PublishFailed";

    // RecordsVerified
    public const string RecordsServed = "RecordsServed";
    public const string RecordsNotServed = "RecordsNotServed";
    public const string NothingExpected = "NothingExpected";

    // Healthy
    public const string ChecksPassed = "ChecksPassed";
    public const string ChecksFailed = "ChecksFailed";
    public const string DnsUnreachable = "DnsUnreachable";

    // Provider Ready
    public const string ProviderUsable = "Usable";

    // ReportSource Ready (SecretNotFound and InvalidSecret as above)
    public const string MailboxRead = "MailboxRead";
    public const string MailboxUnreachable = "MailboxUnreachable";
    public const string LoginFailed = "LoginFailed";
    public const string StoreUnavailable = "StoreUnavailable";

    // SendingDomain DmarcCompliant
    public const string PassRateMet = "PassRateMet";
    public const string PassRateBelowThreshold = "PassRateBelowThreshold";
    public const string NotEnoughReports = "NotEnoughReports";

    // SendingDomain Reputation
    public const string NotListed = "NotListed";
    public const string Listed = "Listed";
    public const string ReverseDnsFailed = "ReverseDnsFailed";
    public const string ListsUnanswered = "ListsUnanswered";

    // SendingDomain TransportSecure
    public const string TransportChecksPassed = "TransportChecksPassed";
    public const string TransportChecksFailed = "TransportChecksFailed";
    public const string TransportUnanswered = "TransportUnanswered";

    private static readonly HashSet<string> NeedAChange = new(StringComparer.Ordinal)
    {
        InvalidSpec,
        DomainConflict,
        CredentialsRejected,
        ProviderNotFound,
        SecretNotFound,
        InvalidSecret,
        InvalidKeySecret,
        ProviderUnsupported,
    };

    /// <summary>
    /// True when retrying cannot mend the reason: the spec, its provider, a Secret they reference or the key
    /// Secret has to change first, and the informers bring that change.
    /// </summary>
    public static bool WaitsForAChange(string reason) => NeedAChange.Contains(reason);
}
