namespace MailDns.Core.Api;

/// <summary>The condition types of SendingDomain and provider status, named once for the operator, the CLI and the tests.</summary>
public static class ConditionTypes
{
    /// <summary>Published and verified, or why not.</summary>
    public const string Ready = "Ready";

    /// <summary>The authoritative servers serve exactly the records this generation asks for.</summary>
    public const string RecordsVerified = "RecordsVerified";

    /// <summary>The last health check of this generation's records passed.</summary>
    public const string Healthy = "Healthy";

    /// <summary>Over the report window, the share of messages receivers saw passing DMARC meets the threshold.</summary>
    public const string DmarcCompliant = "DmarcCompliant";

    /// <summary>No blocklist lists the domain or a sending address, and every sending address has forward-confirmed reverse DNS.</summary>
    public const string Reputation = "Reputation";

    /// <summary>The last transport check found no failure: MX, MTA-STS, STARTTLS, certificates, DANE and submission endpoints.</summary>
    public const string TransportSecure = "TransportSecure";
}

/// <summary>metav1.Condition status values.</summary>
public static class ConditionStatus
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    public static string Of(bool value) => value ? True : False;
}
